// Command soakself reads the run of `make soak-self` (ci/soak-self.yaml:
// soaklab driving steady at 5,000 RPS for 10 minutes) and passes or fails it
// on the judge's own driver criterion, as the run recorded it: the 95 %
// interval of the slope of soaklab's anonymous memory (its whole RSS on
// samples without RssAnon) must lie under the matrix's slope floor,
// max_slope_mib_per_h, which ci/soak-self.yaml sets to 1 MiB/h. It prints
// the driver's figures beside it.
//
// Usage: go run ./scripts/soakself <results-dir | run-dir>
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: soakself <results-dir | run-dir>")
		os.Exit(2)
	}
	dir := os.Args[1]
	if _, err := os.Stat(filepath.Join(dir, results.RunFile)); err != nil {
		runs, _ := filepath.Glob(filepath.Join(dir, "soak-self-*", results.RunFile))
		if len(runs) == 0 {
			fmt.Fprintf(os.Stderr, "soakself: no soak-self-* run under %s\n", dir)
			os.Exit(2)
		}
		sort.Strings(runs)
		dir = filepath.Dir(runs[len(runs)-1])
	}
	run, err := results.ReadRun(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soakself:", err)
		os.Exit(2)
	}
	fmt.Printf("run %s\n", dir)
	if !check(os.Stdout, run) {
		os.Exit(1)
	}
}

// check prints each cell's load and driver criterion and reports whether
// every cell's driver criterion passed.
func check(w io.Writer, run *results.Run) bool {
	if len(run.Cells) == 0 {
		fmt.Fprintln(w, "no cells")
		return false
	}
	ok := true
	for _, c := range run.Cells {
		fmt.Fprintf(w, "%s: %s, %s\n", c.ID, c.Outcome, c.Verdict)
		if c.Load != nil {
			fmt.Fprintf(w, "  driver: %d requests, achieved %.1f of %.0f RPS, %d errors, p99 %.2f ms (corrected)\n",
				c.Load.Sent, c.Load.AchievedRPS, c.Load.TargetRPS, c.Load.Errors, latency(c.Load.Corrected))
		}
		r, found := driverReason(c.Reasons)
		switch {
		case !found:
			fmt.Fprintln(w, "  FAIL: no driver criterion (a cell shorter than 10 minutes, or no samples of soaklab's own memory)")
			ok = false
		case r.Status != results.Pass:
			fmt.Fprintf(w, "  %s: %s (floor %s MiB/h: the interval must lie under it)\n", r.Status, r.Message, floor(r.Limit))
			ok = false
		default:
			fmt.Fprintf(w, "  PASS: %s (floor %s MiB/h)\n", r.Message, floor(r.Limit))
		}
	}
	return ok
}

// driverReason finds the judge's driver criterion among a cell's reasons.
func driverReason(rs []results.Reason) (results.Reason, bool) {
	for _, r := range rs {
		if r.Criterion == "driver" {
			return r, true
		}
	}
	return results.Reason{}, false
}

func floor(v float64) string { return fmt.Sprintf("%g", v) }

func latency(l *results.Latency) float64 {
	if l == nil {
		return 0
	}
	return l.P99
}
