package results_test

import (
	"encoding/json"
	"fmt"

	"github.com/soaklab/soaklab/harness/results"
)

// A schema-1 analysis (a flat map, booleans as 0/1) converts to the typed
// analysis: the flags become the names of the series the figures came from,
// and figures the map lacks stay absent rather than zero.
func ExampleAnalysisV1() {
	a := results.AnalysisV1(map[string]float64{
		"warmup_s": 18, "n": 162, "fit_from_s": 18, "fit_uses_anon": 1, "fit_uses_working_set": 1,
		"fit_intercept_bytes": 62 << 20, "fit_slope_bytes_per_s": 0, "slope_mib_per_h": 0, "r2": 0.01,
		"peak_bytes": 66 << 20, "drift_pct": 0.2,
	})
	out, _ := json.Marshal(a)
	fmt.Println(string(out))
	// Output:
	// {"window":{"warmup_s":18,"samples":162,"from_s":18},"fit":{"series":"anon","intercept_bytes":65011712,"slope_bytes_per_s":0,"slope_mib_per_h":0,"slope_low_mib_per_h":0,"slope_high_mib_per_h":0,"r2":0.01},"drift":{"pct":0.2},"peak":{"series":"working set","bytes":69206016}}
}
