package pipeline_test

import (
	"fmt"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/results"
)

// NoGos lists what a CI log shows at the end of a run: each NO-GO cell
// with the reason the report's scorecard gives it.
func ExampleNoGos() {
	run := &results.Run{Cells: []results.Cell{
		{ID: "steady/ram=256MiB", Verdict: results.GO},
		{ID: "hog/ram=48MiB", Verdict: results.NOGO, Reasons: []results.Reason{
			{Criterion: "outcome", Status: results.Fail, Message: "oom-killed by the kernel"},
		}},
	}}
	for _, n := range pipeline.NoGos(run) {
		fmt.Printf("%s: %s\n", n.ID, n.Reason)
	}
	// Output:
	// hog/ram=48MiB: outcome: oom-killed by the kernel
}
