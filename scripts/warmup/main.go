// Command warmup measures how long a cell must be before the leak
// criterion can tell a steady target's warm-up from a leak. It cuts every
// completed cell of the given runs at a series of durations, as if the cell
// had been that long (samples up to the cut, the default warm-up of a tenth
// of it), judges each cut with the judge's defaults, and prints per target
// and duration how often the leak criterion came out FAIL, UNKNOWN or PASS.
// docs/memory.md records what it printed for the steady targets of
// ci/false-alarms.yaml and the threshold chosen from it.
//
// Usage: go run ./scripts/warmup <run-dir>...
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
)

// cuts are the cell durations tried, in seconds.
var cuts = []float64{15, 20, 25, 30, 40, 50, 60, 90, 120, 180}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: warmup <run-dir>...")
		os.Exit(2)
	}
	// count[target][cut][status]
	count := map[string]map[float64]map[results.Status]int{}
	for _, dir := range os.Args[1:] {
		run, err := results.ReadRun(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "warmup:", err)
			os.Exit(2)
		}
		for i := range run.Cells {
			c := run.Cells[i]
			if c.Outcome != results.Completed {
				continue
			}
			samples, err := results.ReadSamples(filepath.Join(dir, results.CellsDir, c.Dir, results.SamplesFile))
			if err != nil {
				fmt.Fprintln(os.Stderr, "warmup:", err)
				os.Exit(2)
			}
			for _, cut := range cuts {
				if cut > c.Duration {
					continue
				}
				var part []results.Sample
				for _, s := range samples {
					if s.T <= cut {
						s.Phase = ""
						part = append(part, s)
					}
				}
				short := c
				short.Duration, short.Warmup, short.Load = cut, cut/10, nil
				_, rs, _ := judge.Cell(&short, part, matrix.Judge{})
				st := results.Status("none")
				for _, r := range rs {
					if r.Criterion == "leak" {
						st = r.Status
					}
				}
				if count[c.Target] == nil {
					count[c.Target] = map[float64]map[results.Status]int{}
				}
				if count[c.Target][cut] == nil {
					count[c.Target][cut] = map[results.Status]int{}
				}
				count[c.Target][cut][st]++
			}
		}
	}
	targets := make([]string, 0, len(count))
	for t := range count {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	fmt.Println("leak criterion on cells cut short (default warm-up: a tenth of the duration)")
	fmt.Printf("%-10s %8s %5s %8s %5s %5s\n", "target", "duration", "FAIL", "UNKNOWN", "PASS", "none")
	for _, t := range targets {
		for _, cut := range cuts {
			n := count[t][cut]
			if n == nil {
				continue
			}
			fmt.Printf("%-10s %7.0fs %5d %8d %5d %5d\n", t, cut, n[results.Fail], n[results.Unknown], n[results.Pass], n["none"])
		}
	}
}
