package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
)

// MinFalseAlarmRuns is how many steady cells the false-alarm figure needs.
const MinFalseAlarmRuns = 30

// checkFalseAlarms counts the verdicts of the steady targets of
// ci/false-alarms.yaml: any NO-GO is a false alarm and fails the check;
// NEUTRAL is counted and listed with its reasons, not failed.
func checkFalseAlarms(w io.Writer, run *results.Run) int {
	type tally struct{ n, nogo, neutral, other int }
	by := map[string]*tally{}
	var total tally
	problems := 0
	for _, c := range run.Cells {
		t := by[c.Target]
		if t == nil {
			t = &tally{}
			by[c.Target] = t
		}
		t.n++
		total.n++
		switch {
		case c.Outcome != results.Completed:
			t.other++
			total.other++
			fmt.Fprintf(w, "FAIL %s %s: %s\n", c.ID, c.Outcome, firstLine(c.Detail))
			problems++
		case c.Verdict == results.NOGO:
			t.nogo++
			total.nogo++
			fmt.Fprintf(w, "FAIL false NO-GO %s: %s\n", c.ID, failing(c))
			problems++
		case c.Verdict == results.NEUTRAL:
			t.neutral++
			total.neutral++
			fmt.Fprintf(w, "     NEUTRAL %s: %s\n", c.ID, failing(c))
		}
	}
	targets := make([]string, 0, len(by))
	for k := range by {
		targets = append(targets, k)
	}
	sort.Strings(targets)
	fmt.Fprintf(w, "%-10s %5s %6s %8s %5s\n", "target", "runs", "NO-GO", "NEUTRAL", "GO")
	for _, k := range targets {
		t := by[k]
		fmt.Fprintf(w, "%-10s %5d %6d %8d %5d\n", k, t.n, t.nogo, t.neutral, t.n-t.nogo-t.neutral-t.other)
	}
	fmt.Fprintf(w, "false alarms: %d NO-GO and %d NEUTRAL out of %d runs of steady targets (%d did not complete)\n",
		total.nogo, total.neutral, total.n, total.other)
	if total.n < MinFalseAlarmRuns {
		fmt.Fprintf(w, "FAIL only %d runs, want >= %d\n", total.n, MinFalseAlarmRuns)
		problems++
	}
	return problems
}
