package results

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLatencyCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		seconds float64
		bucket  int
	}{
		{0, 0},      // instant: the first bucket
		{0.001, 0},  // on a bound: that bound's bucket (le="0.001")
		{0.0011, 1}, // just above it: the next
		{0.3, 8},    // ≤ 0.5 s
		{10, 12},    // the last bound
		{60, 13},    // above every bound: +Inf only
	}
	for _, tt := range tests {
		var l LatencyCounts
		l.Add(tt.seconds)
		assert.Equal(t, int64(1), l.Buckets[tt.bucket], "%v s", tt.seconds)
		assert.Equal(t, int64(1), l.Count())
		assert.Equal(t, tt.seconds, l.Sum)
	}
}
