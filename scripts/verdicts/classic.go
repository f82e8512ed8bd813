package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// expectation is what every repeat of a target must show.
type expectation struct {
	verdict results.Verdict
	outcome results.Outcome
	reasons []string // substrings that must appear among the reasons not PASS
}

var expected = map[string]expectation{
	"steady": {verdict: results.GO, outcome: results.Completed},
	"leaky":  {verdict: results.NOGO, outcome: results.Completed, reasons: []string{"monitor).record", "goroutine"}},
	"hog":    {verdict: results.NOGO, outcome: results.OOMKilled, reasons: []string{"oom_kill"}},
}

// checkVerdicts checks the run of ci/verdicts.yaml.
func checkVerdicts(w io.Writer, run *results.Run) int {
	problems := 0
	seen := map[string]int{}
	for _, c := range run.Cells {
		exp, ok := expected[c.Target]
		if !ok {
			continue
		}
		seen[c.Target]++
		text := failing(c)
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
