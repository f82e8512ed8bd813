// Command verdicts checks the acceptance runs of `make verdicts`
// (scripts/verdicts/run.sh), each the newest of its kind in the results
// directory:
//
//   - verdicts-<ts> (ci/verdicts.yaml): over every repeat, steady is GO,
//     leaky is NO-GO for a leak and names the growing allocation site and
//     the goroutine growth, hog is NO-GO as oom-killed, and the stairstep
//     A/B comparison detects a difference;
//   - memory-verdicts-<ts> (ci/verdicts-memory.yaml): shared-memory,
//     socket-buffer and pipe-buffer leaks with a flat heap are NO-GO on the
//     unreclaimable series, a large stable page cache is GO, a service that
//     exits 7 behind a `helper & exec` wrapper is crashed with status 7, and
//     20-25 s smoke cells of steady are not NO-GO (inconclusive);
//   - false-alarms-<ts> (ci/false-alarms.yaml): steady servers are never
//     NO-GO; it prints the count of false NO-GO and NEUTRAL verdicts.
//
// Usage: go run ./scripts/verdicts [-only verdicts,memory,false-alarms] <results-dir>
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// part is one acceptance run and how it is checked.
type part struct {
	name   string // as given to -only
	prefix string // run id prefix
	check  func(w io.Writer, run *results.Run) int
}

var parts = []part{
	{"verdicts", "verdicts-", checkVerdicts},
	{"memory", "memory-verdicts-", checkMemory},
	{"false-alarms", "false-alarms-", checkFalseAlarms},
}

func main() {
	only := flag.String("only", "verdicts,memory,false-alarms", "parts to check, comma-separated")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: verdicts [-only verdicts,memory,false-alarms] <results-dir>")
		os.Exit(2)
	}
	problems := 0
	for _, p := range parts {
		if !strings.Contains(","+*only+",", ","+p.name+",") {
			continue
		}
		dir, err := latest(flag.Arg(0), p.prefix)
		if err != nil {
			fmt.Fprintln(os.Stderr, "verdicts:", err)
			os.Exit(2)
		}
		run, err := results.ReadRun(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "verdicts:", err)
			os.Exit(2)
		}
		fmt.Printf("== %s: %s\n", p.name, dir)
		n := p.check(os.Stdout, run)
		if n > 0 {
			fmt.Printf("FAIL: %d expectations not met in %s\n", n, dir)
		}
		problems += n
	}
	if problems > 0 {
		os.Exit(1)
	}
	fmt.Println("PASS: every verdict as expected")
}

// latest returns the newest run under dir whose id starts with prefix
// and then a digit (so "verdicts-" does not take "verdicts-memory-…"),
// skipping shards.
func latest(dir, prefix string) (string, error) {
	runs, _ := filepath.Glob(filepath.Join(dir, prefix+"[0-9]*", results.RunFile))
	var keep []string
	for _, r := range runs {
		if !strings.Contains(filepath.Base(filepath.Dir(r)), "shard") {
			keep = append(keep, filepath.Dir(r))
		}
	}
	if len(keep) == 0 {
		return "", fmt.Errorf("no %s* run under %s", prefix, dir)
	}
	sort.Strings(keep)
	return keep[len(keep)-1], nil
}

// failing joins the messages of a cell's reasons that did not PASS.
func failing(c results.Cell) string {
	var out []string
	for _, r := range c.Reasons {
		if r.Status != results.Pass {
			out = append(out, string(r.Status)+" "+r.Criterion+": "+r.Message)
		}
	}
	return strings.Join(out, " | ")
}

// reason returns the cell's reason for criterion.
func reason(c results.Cell, criterion string) (results.Reason, bool) {
	for _, r := range c.Reasons {
		if r.Criterion == criterion {
			return r, true
		}
	}
	return results.Reason{}, false
}
