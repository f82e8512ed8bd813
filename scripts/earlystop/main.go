// Command earlystop checks the runs of `make early-stop` (ci/earlystop.yaml
// and ci/earlystop-quiet.yaml, judged with `early_stop: record`): it replays
// the judge's Watch over every cell's samples as they were recorded, and
// holds where it would have stopped against the cell's full-length verdict
// and its label:
//
//   - every cell that would have stopped is NO-GO at full length;
//   - flat and saw-tooth cells never stop;
//   - the labelled leaks stop: 24 MiB/min within 2 minutes of its warm-up,
//     1 MiB/min before 80 % of the cell, the late leak not before it starts.
//
// It prints a table of the wall time saved per target.
//
// Usage: go run ./scripts/earlystop [-only target,...] <run-dir>...
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
)

// label is what a target's cells must show.
type label struct {
	stops  bool    // a stop is expected (the cell is a NO-GO that early stopping catches)
	within float64 // the stop comes by this many seconds after warm-up (0: by the end)
	after  float64 // and not before this t
}

var labels = map[string]label{
	"steady":     {},
	"flat":       {},
	"saw":        {},
	"saw-rising": {stops: true},
	"leak-1":     {stops: true, within: 0.8*600 - 60},
	"leak-4":     {stops: true},
	"leak-24":    {stops: true, within: 120},
	"leak-late":  {stops: true, after: 300},
	"leaky":      {stops: true},
	// The hog is OOM-killed at about four minutes: a stop, if any, comes
	// before the kill (checked for every cell below).
	"hog": {},
}

// row is one cell's replay.
type row struct {
	target, id  string
	verdict     results.Verdict
	outcome     results.Outcome
	planned, at float64 // at: the replayed stop's t, 0 when none
	ended       float64 // t of the last sample
	recorded    float64 // the stop recorded during the run, 0 when none
	criterion   string
}

func main() {
	only := flag.String("only", "", "comma-separated targets to check (default: all)")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: earlystop [-only target,...] <run-dir>...")
		os.Exit(2)
	}
	keep := map[string]bool{}
	for _, t := range strings.Split(*only, ",") {
		if t != "" {
			keep[t] = true
		}
	}
	var rows []row
	for _, dir := range flag.Args() {
		rs, err := replay(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "earlystop:", err)
			os.Exit(2)
		}
		for _, r := range rs {
			if len(keep) == 0 || keep[r.target] {
				rows = append(rows, r)
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].target < rows[j].target })
	problems := check(os.Stdout, rows)
	table(os.Stdout, rows)
	if problems > 0 {
		fmt.Printf("FAIL: %d expectations not met\n", problems)
		os.Exit(1)
	}
	fmt.Printf("PASS: %d cells, every early stop agrees with the full-length verdict\n", len(rows))
}

// replay runs the judge's Watch over each judged cell of a run.
func replay(dir string) ([]row, error) {
	run, err := results.ReadRun(dir)
	if err != nil {
		return nil, err
	}
	m, err := matrix.Parse(run.Matrix, []byte(run.MatrixYAML))
	if err != nil {
		return nil, fmt.Errorf("%s: the run's matrix: %w", dir, err)
	}
	var out []row
	for _, c := range run.Cells {
		if c.Verdict == "" || c.Outcome == results.Interrupted {
			continue // not run, or cut short by a signal: no full-length verdict
		}
		samples, err := results.ReadSamples(filepath.Join(dir, results.CellsDir, c.Dir, results.SamplesFile))
		if err != nil {
			return nil, err
		}
		r := row{target: c.Target, id: c.ID, verdict: c.Verdict, outcome: c.Outcome, planned: c.Duration}
		if n := len(samples); n > 0 {
			r.ended = samples[n-1].T
		}
		if c.EarlyStop != nil {
			r.recorded = c.EarlyStop.AtS
		}
		w := judge.NewWatch(c, m.Judge, judge.MatrixOptions(m)...)
		for _, s := range samples {
			if e := w.Add(s); e != nil {
				r.at, r.criterion = e.AtS, e.Criterion
				break
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func check(w io.Writer, rows []row) int {
	problems := 0
	bad := func(r row, format string, args ...any) {
		problems++
		fmt.Fprintf(w, "%s: %s\n", r.id, fmt.Sprintf(format, args...))
	}
	for _, r := range rows {
		if r.at > 0 && r.verdict != results.NOGO {
			bad(r, "stopped early at %.0f s (%s) but %s at full length", r.at, r.criterion, r.verdict)
		}
		if r.at > 0 && r.outcome == results.OOMKilled && r.at > r.ended {
			bad(r, "stopped at %.0f s, after its OOM kill at %.0f s", r.at, r.ended)
		}
		l, ok := labels[r.target]
		if !ok {
			continue
		}
		switch {
		case !l.stops && r.at > 0 && r.outcome != results.OOMKilled:
			bad(r, "must run to its end, stopped at %.0f s (%s)", r.at, r.criterion)
		case l.stops && r.at == 0:
			bad(r, "a labelled NO-GO (%s at full length) that never stopped early", r.verdict)
		case l.stops && l.within > 0 && r.at > 60+l.within:
			bad(r, "stopped at %.0f s, later than %.0f s after its warm-up", r.at, l.within)
		case l.stops && r.at > 0 && r.at <= l.after:
			bad(r, "stopped at %.0f s, before its leak starts at %.0f s", r.at, l.after)
		}
	}
	return problems
}

// table prints, per target, the cells, how many stopped and the wall time
// saved.
func table(w io.Writer, rows []row) {
	type sum struct {
		cells, stops, nogo   int
		planned, ran, earlyT float64
	}
	by := map[string]*sum{}
	var order []string
	for _, r := range rows {
		s, ok := by[r.target]
		if !ok {
			s = &sum{}
			by[r.target] = s
			order = append(order, r.target)
		}
		s.cells++
		if r.verdict == results.NOGO {
			s.nogo++
		}
		s.ran += r.ended
		if r.at > 0 {
			s.stops++
			s.earlyT += r.at
		} else {
			s.earlyT += r.ended
		}
		s.planned += r.planned
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tcells\tNO-GO at full length\tstopped early\tmean stop\tran (s)\twith early stop (s)\tsaved")
	for _, t := range order {
		s := by[t]
		mean := "-"
		if s.stops > 0 {
			var at float64
			n := 0
			for _, r := range rows {
				if r.target == t && r.at > 0 {
					at += r.at
					n++
				}
			}
			mean = fmt.Sprintf("%.0f s", at/float64(n))
		}
		saved := 0.0
		if s.ran > 0 {
			saved = 100 * (s.ran - s.earlyT) / s.ran
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%.0f\t%.0f\t%.0f %%\n", t, s.cells, s.nogo, s.stops, mean, s.ran, s.earlyT, saved)
	}
	tw.Flush()
}
