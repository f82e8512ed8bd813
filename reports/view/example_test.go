package view_test

import (
	"fmt"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// The safe configurations table from a small grid at one memory limit: 10
// tasks at 500 RPS held, anything heavier did not.
func ExampleSafeConfigs() {
	c := func(tasks, rps string, v results.Verdict) results.Cell {
		return results.Cell{Target: "loadgen", RAMLimit: 512 << 20, Duration: 300,
			Axes: map[string]string{"tasks": tasks, "rps": rps}, Verdict: v}
	}
	rows := view.SafeConfigs([]results.Cell{
		c("10", "500", results.GO), c("100", "500", results.NOGO), c("10", "5000", results.NOGO),
	})
	for _, r := range rows {
		fmt.Printf("%s %s: %s tasks, %s RPS, %s (%d/%d GO)\n", r.Target, view.Bytes(r.RAM),
			view.Num(r.Tasks), view.Num(r.RPS), view.Seconds(r.Duration), r.GO, r.Cells)
	}
	// Output:
	// loadgen 512 MiB: 10 tasks, 500 RPS, 5m (1/3 GO)
}
