package judge_test

import (
	"fmt"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
	"github.com/soaklab/soaklab/reports/judge"
)

// A 3-minute cell leaking 1 MiB/min is NO-GO, and the reason names the
// growing allocation site.
func ExampleCell() {
	c := &results.Cell{
		ID: "leaky/ram=128MiB", Target: "leaky", Kind: "workload", RAMLimit: 128 << 20,
		Duration: 180, Warmup: 18, Interval: 1, Outcome: results.Completed,
		GrowthSites: []results.GrowthSite{{Function: "main.(*cache).add", File: "main.go", Line: 31, Delta: 2 << 20}},
	}
	samples := synth.Spec{Seed: 1, Noise: 0.3 * synth.MiB, LeakPerMin: synth.MiB}.Samples()
	verdict, reasons, analysis := judge.Cell(c, samples, matrix.Judge{})
	fmt.Println(verdict)
	for _, r := range reasons {
		if r.Criterion == "leak" {
			fmt.Println(r.Status, r.Message)
		}
	}
	fmt.Printf("steps=%v n=%v\n", analysis.Steps.Count, analysis.Window.Samples)
	// Output:
	// NO-GO
	// FAIL growing: RSS slope +58.4 MiB/h (95% CI 54.8…62.0, r²=0.87) after 18 s warm-up; troughs 65.6 MiB/h; drift +12.6 % > 5 %; slope above the 5 MiB/h floor; top growing allocation sites: main.(*cache).add (main.go:31) +2.0 MiB; this cell detects leaks ≥ 23.3 MiB/h (558 MiB/day; 80 % power, bound by drift: slope ±3.6 MiB/h over 162 s); a 4× longer window would detect ≥ 5.8 MiB/h
	// steps=0 n=163
}
