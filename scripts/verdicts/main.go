// Command verdicts checks the acceptance run of `make verdicts`: over every
// repeat, steady is GO, leaky is NO-GO for a leak and names the growing
// allocation site and the goroutine growth, hog is NO-GO as oom-killed, and
// the stairstep A/B comparison detects a difference.
//
// Usage: go run ./scripts/verdicts <results-dir | run-dir>
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: verdicts <results-dir | run-dir>")
		os.Exit(2)
	}
	dir, err := latest(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "verdicts:", err)
		os.Exit(2)
	}
	run, err := results.ReadRun(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verdicts:", err)
		os.Exit(2)
	}
	if problems := check(os.Stdout, run); problems > 0 {
		fmt.Printf("FAIL: %d expectations not met in %s\n", problems, dir)
		os.Exit(1)
	}
	fmt.Printf("PASS: every verdict as expected in %s\n", dir)
}

// latest returns dir itself when it holds a run, else its newest
// verdicts-* run.
func latest(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, results.RunFile)); err == nil {
		return dir, nil
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "verdicts-*", results.RunFile))
	if len(runs) == 0 {
		return "", fmt.Errorf("no verdicts-* run under %s", dir)
	}
	sort.Strings(runs)
	return filepath.Dir(runs[len(runs)-1]), nil
}

// expectation is what every repeat of a target must show.
type expectation struct {
	verdict results.Verdict
	outcome results.Outcome
	reasons []string // substrings that must appear among FAIL reasons
}

var expected = map[string]expectation{
	"steady": {verdict: results.GO, outcome: results.Completed},
	"leaky":  {verdict: results.NOGO, outcome: results.Completed, reasons: []string{"monitor).record", "goroutine"}},
	"hog":    {verdict: results.NOGO, outcome: results.OOMKilled, reasons: []string{"oom_kill"}},
}

func check(w io.Writer, run *results.Run) int {
	problems := 0
	seen := map[string]int{}
	for _, c := range run.Cells {
		exp, ok := expected[c.Target]
		if !ok {
			continue
		}
		seen[c.Target]++
		var fails []string
		for _, r := range c.Reasons {
			if r.Status != results.Pass {
				fails = append(fails, r.Message)
			}
		}
		text := strings.Join(fails, " | ")
		bad := c.Verdict != exp.verdict || c.Outcome != exp.outcome
		for _, want := range exp.reasons {
			if !strings.Contains(text, want) {
				bad = true
			}
		}
		mark := "ok  "
		if bad {
			mark = "FAIL"
			problems++
		}
		fmt.Fprintf(w, "%s %-7s %-11s %s  %s\n", mark, c.Verdict, c.Outcome, c.ID, text)
	}
	for t := range expected {
		if seen[t] < 5 {
			fmt.Fprintf(w, "FAIL %s ran %d times, want 5 repeats\n", t, seen[t])
			problems++
		}
	}
	found := false
	for _, cmp := range run.Comparisons {
		if !strings.Contains(cmp.Name, "stairstep") {
			continue
		}
		found = true
		detected := false
		for _, r := range cmp.Rows {
			if strings.Contains(r.Measure, "peak") && r.Detected {
				detected = true
			}
		}
		mark := "ok  "
		if !detected {
			mark = "FAIL"
			problems++
		}
		fmt.Fprintf(w, "%s A/B %s: %s (peak difference detected: %v)\n", mark, cmp.Name, cmp.Verdict, detected)
	}
	if !found {
		fmt.Fprintln(w, "FAIL no stairstep comparison in the run")
		problems++
	}
	return problems
}
