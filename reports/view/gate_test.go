package view

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/harness/results"
)

func TestGateFigures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r            results.Reason
		value, limit string
	}{
		// a percentage gate: signed value, plain threshold
		{results.Reason{Criterion: "rss", Status: results.Pass, Value: 62.34, Limit: 30, Unit: "%"}, "+62.3 %", "30 %"},
		// a ratio budget without unit
		{results.Reason{Criterion: "ratio f/op", Status: results.Pass, Value: 0.00103, Limit: 0.002}, "0.00103", "0.002"},
		// unknown without a value: a dash, the reason says why
		{results.Reason{Criterion: "cv", Status: results.Unknown, Limit: 2, Unit: "%"}, "—", "2 %"},
		// a measured zero that passed is a zero
		{results.Reason{Criterion: "throughput", Status: results.Pass, Limit: 10, Unit: "%"}, "+0.0 %", "10 %"},
		// no threshold at all
		{results.Reason{Criterion: "repeats", Status: results.Unknown, Value: 1}, "1", ""},
	}
	for _, tt := range tests {
		v, l := GateFigures(tt.r)
		assert.Equal(t, tt.value, v, tt.r.Criterion)
		assert.Equal(t, tt.limit, l, tt.r.Criterion)
	}
}
