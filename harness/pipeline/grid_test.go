package pipeline

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/harness/results"
)

func TestGridLines(t *testing.T) {
	t.Parallel()
	const m = 1 << 20
	risk := func(st results.Status) []results.Reason {
		return []results.Reason{{Criterion: "oom-risk", Status: st, Hard: true, Limit: 86400, Unit: "s"}}
	}
	cell := func(target string, ram int64, rps string, c results.Cell) results.Cell {
		c.ID, c.Target, c.RAMLimit = fmt.Sprintf("%s/ram=%d,rps=%s", target, ram, rps), target, ram
		c.Axes = map[string]string{"rps": rps}
		if c.Duration == 0 {
			c.Duration = 60
		}
		return c
	}
	works := results.Cell{Outcome: results.Completed, Verdict: results.GO, Analysis: &results.Analysis{}, Reasons: risk(results.Pass)}
	killed := results.Cell{Outcome: results.OOMKilled, OOMKills: 1, Samples: 25, Interval: 1, Verdict: results.NOGO}
	low, high := 120.0, 400.0
	grows := results.Cell{Outcome: results.Completed, Verdict: results.NOGO, Reasons: risk(results.Fail),
		Analysis: &results.Analysis{OOMRisk: &results.OOMRisk{TimeToLimitS: 180, TimeToLimitLowS: &low, TimeToLimitHighS: &high}}}
	cases := []struct {
		name  string
		cells []results.Cell
		want  []string
	}{
		// every state at two limits, in one line
		{"grid", []results.Cell{
			cell("storm", 96*m, "100", grows), cell("storm", 96*m, "400", killed),
			cell("storm", 192*m, "100", works), cell("storm", 192*m, "400", grows),
		}, []string{"storm (96 MiB, 192 MiB): 4 configurations: 1 works, 1 OOM (first at 25s), 2 projected OOM (first ~4m), 0 unknown; 1 last the 24h horizon"}},
		// one configuration is no grid
		{"one cell", []results.Cell{cell("storm", 96*m, "100", works)}, nil},
		// no memory limit: nothing to say
		{"no limit", []results.Cell{cell("storm", 0, "100", works), cell("storm", 0, "400", works)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, GridLines(&results.Run{Cells: c.cells}))
		})
	}
}
