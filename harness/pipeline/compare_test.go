package pipeline

import (
	"errors"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// Regressions against a baseline judge a new leak by the new run's own
// judge criteria, not the defaults; a stored matrix that does not parse is
// an error, never a silent fall back to the defaults.
func TestRegressionRuleUsesRunJudge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		yaml      string
		set       bool
		wantSlope float64
		wantErr   bool
	}{
		{"explicit zero floor", "name: r\ntargets:\n  s: {command: [./s]}\njudge:\n  max_slope_mib_per_h: 0\n", true, 0, false},
		{"own floor", "name: r\ntargets:\n  s: {command: [./s]}\njudge:\n  max_slope_mib_per_h: 40\n", true, 40, false},
		{"no judge block", "name: r\ntargets:\n  s: {command: [./s]}\n", false, 0, false},
		{"unreadable matrix", "targets: [", false, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rule, err := RegressionRule(&results.Run{ID: "r1", Matrix: "/m/matrix.yaml", MatrixYAML: tc.yaml})
			if tc.wantErr {
				if err == nil {
					t.Fatal("a stored matrix that does not parse gave no error")
				}
				if !errors.Is(err, matrix.ErrInvalid) {
					t.Errorf("error %v does not carry the matrix's problems", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rule.Judge.IsSet(matrix.KeyMaxSlopeMiBPerH); got != tc.set {
				t.Fatalf("max_slope_mib_per_h set = %v, want %v", got, tc.set)
			}
			if rule.Judge.MaxSlopeMiBPerH != tc.wantSlope {
				t.Errorf("slope floor %v, want %v", rule.Judge.MaxSlopeMiBPerH, tc.wantSlope)
			}
			if rule.RelPct != 10 {
				t.Errorf("RelPct %v: the default thresholds are kept", rule.RelPct)
			}
		})
	}
}
