package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/harness/results"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	driver := func(s results.Status) []results.Reason {
		return []results.Reason{
			{Criterion: "outcome", Status: results.Pass},
			{Criterion: "driver", Status: s, Value: 0.2, Limit: 1, Message: "soaklab's own anonymous memory ..."},
		}
	}
	tests := []struct {
		name    string
		reasons []results.Reason
		want    bool
		says    string
	}{
		// the interval lies under the floor
		{"pass", driver(results.Pass), true, "PASS: soaklab's own anonymous memory ... (floor 1 MiB/h)"},
		// the interval straddles the floor: not a pass
		{"straddles", driver(results.Unknown), false, "UNKNOWN: soaklab's own anonymous memory ... (floor 1 MiB/h: the interval must lie under it)"},
		// the interval lies above the floor
		{"grows", driver(results.Fail), false, "FAIL: soaklab's own anonymous memory"},
		// the judge did not speak: a short cell or no driver samples
		{"not judged", driver(results.Pass)[:1], false, "FAIL: no driver criterion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := &results.Run{Cells: []results.Cell{{ID: "steady/x", Outcome: results.Completed, Verdict: results.GO,
				Reasons: tt.reasons, Load: &results.Load{Sent: 2970000, AchievedRPS: 4950, TargetRPS: 5000, Errors: 3}}}}
			var out bytes.Buffer
			assert.Equal(t, tt.want, check(&out, run))
			assert.Contains(t, out.String(), tt.says)
			assert.Contains(t, out.String(), "2970000 requests, achieved 4950.0 of 5000 RPS, 3 errors")
		})
	}
	var out bytes.Buffer
	assert.False(t, check(&out, &results.Run{}), "a run without cells does not pass")
}
