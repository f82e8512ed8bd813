// Command soakself reads the run of `make soak-self` (ci/soak-self.yaml:
// soaklab driving steady at 5,000 RPS for 10 minutes) and reports the
// harness's own memory slope with its 95 % interval, as the judge fitted it:
// to its anonymous memory when the samples have it (the rest of its RSS is
// its executable's pages), else to its whole RSS. It fails when the slope is
// significantly above zero: the driver must hold its memory flat.
//
// Usage: go run ./scripts/soakself <results-dir | run-dir>
package main

import (
	"fmt"
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
	failed := false
	for _, c := range run.Cells {
		a := c.Analysis
		fmt.Printf("%s: %s, %s\n", c.ID, c.Outcome, c.Verdict)
		if c.Load != nil {
			fmt.Printf("  driver: %d requests, achieved %.1f of %.0f RPS, p99 %.2f ms (corrected)\n",
				c.Load.Sent, c.Load.AchievedRPS, c.Load.TargetRPS, latency(c.Load.Corrected))
		}
		if a == nil || a.Driver == nil {
			fmt.Println("  no driver RSS samples")
			failed = true
			continue
		}
		d := a.Driver
		slope, low, high := d.SlopeMiBPerH, d.SlopeLowMiBPerH, d.SlopeHighMiBPerH
		flat := low <= 0 && high >= 0
		what := "RSS"
		if d.Series == "RSS anon" {
			what = "anonymous memory (RssAnon)"
		}
		fmt.Printf("  soaklab's own %s slope: %+.2f MiB/h (95%% CI %.2f…%.2f): ", what, slope, low, high)
		if flat {
			fmt.Println("indistinguishable from zero")
		} else {
			fmt.Println("NOT flat")
			failed = true
		}
		if v := d.RSSSlopeMiBPerH; v != nil && d.Series == "RSS anon" {
			fmt.Printf("  whole RSS, its executable's pages included: %+.2f MiB/h\n", *v)
		}
		if v := d.HeapSlopeMiBPerH; v != nil {
			fmt.Printf("  Go heap objects: %+.2f MiB/h\n", *v)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func latency(l *results.Latency) float64 {
	if l == nil {
		return 0
	}
	return l.P99
}
