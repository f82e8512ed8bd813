package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// memoryCase is what every cell of a target of ci/verdicts-memory.yaml
// must show; check returns what is wrong, "" when nothing.
type memoryCase struct {
	label string
	check func(c results.Cell) string
}

// leakOnUnreclaimable: NO-GO, completed, the leak criterion FAILs on the
// unreclaimable series.
func leakOnUnreclaimable(c results.Cell) string {
	if c.Outcome != results.Completed || c.Verdict != results.NOGO {
		return fmt.Sprintf("want NO-GO completed, got %s %s", c.Verdict, c.Outcome)
	}
	r, _ := reason(c, "leak")
	if r.Status != results.Fail || !strings.Contains(r.Message, "unreclaimable") {
		return "the leak criterion does not FAIL on the unreclaimable series: " + r.Message
	}
	return ""
}

var memoryCases = map[string]memoryCase{
	"shmleak":  {"shared-memory leak (memfd), heap flat -> NO-GO", leakOnUnreclaimable},
	"sockleak": {"socket buffers of unread connections, heap flat -> NO-GO", leakOnUnreclaimable},
	"pipeleak": {"pipe buffers of unread pipes, heap flat -> NO-GO", leakOnUnreclaimable},
	"pagecache": {"96 MiB of stable page cache -> GO", func(c results.Cell) string {
		if c.Verdict != results.GO || c.Outcome != results.Completed {
			return fmt.Sprintf("want GO completed, got %s %s", c.Verdict, c.Outcome)
		}
		return ""
	}},
	"wrapped": {"service exits 7 behind sh -c 'helper & exec service' -> crashed, status 7", func(c results.Cell) string {
		if c.Outcome != results.Crashed || c.ExitCode != 7 || c.Signal != "" || c.Verdict != results.NOGO {
			return fmt.Sprintf("want crashed with exit status 7 (NO-GO), got %s status %d signal %q (%s)", c.Outcome, c.ExitCode, c.Signal, c.Verdict)
		}
		if c.Ended.Sub(c.Started).Seconds() >= c.Duration {
			return fmt.Sprintf("recorded at the end of the cell (%.0f s), not when the service exited", c.Ended.Sub(c.Started).Seconds())
		}
		return ""
	}},
	"smoke": {"20-25 s smoke cell of steady -> not NO-GO, leak inconclusive", func(c results.Cell) string {
		if c.Verdict == results.NOGO {
			return "NO-GO: " + failing(c)
		}
		if r, _ := reason(c, "leak"); r.Status == results.Fail {
			return "leak FAILs: " + r.Message
		}
		return ""
	}},
}

// checkMemory checks the run of ci/verdicts-memory.yaml.
func checkMemory(w io.Writer, run *results.Run) int {
	problems := 0
	seen := map[string]int{}
	for _, c := range run.Cells {
		mc, ok := memoryCases[c.Target]
		if !ok {
			continue
		}
		seen[c.Target]++
		mark, why := "ok  ", mc.check(c)
		if why != "" {
			mark = "FAIL"
			problems++
		}
		fmt.Fprintf(w, "%s %-7s %-9s %-58s %s\n", mark, c.Verdict, c.Outcome, c.ID, mc.label)
		if why != "" {
			fmt.Fprintf(w, "       %s\n", why)
		} else if r, ok := reason(c, "leak"); ok && r.Status != results.Pass {
			fmt.Fprintf(w, "       %s leak: %s\n", r.Status, r.Message)
		} else if c.Outcome == results.Crashed {
			fmt.Fprintf(w, "       %s\n", firstLine(c.Detail))
		}
	}
	for t := range memoryCases {
		if seen[t] == 0 {
			fmt.Fprintf(w, "FAIL %s did not run\n", t)
			problems++
		}
	}
	return problems
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
