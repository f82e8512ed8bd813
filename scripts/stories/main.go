// Command stories runs a short version of each of soaklab's four stories
// (docs/stories.md) and checks that the run answers the story's own
// question:
//
//  1. the load generator killed by its own histograms: with this much RAM,
//     how many tasks, what RPS, for how long?
//  2. heap fragmentation in stairs: which allocator holds a ceiling?
//  3. the lean mode scorecard: RSS, throughput, CPU per operation, drift, CV;
//  4. the slow leak found by hand: drift, goroutines, growing sites and the
//     threshold episodes.
//
// Each story lives in a file of its own (story<N>.go) that registers itself
// with register; it runs its matrices through the soaklab binary it is
// given and checks the results it reads back with harness/results.
//
// Usage: go run ./scripts/stories [-only 1,2,3,4] <soaklab-binary> <results-dir>
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/results"
)

// story is one story's short run and its checks.
type story struct {
	n    int
	name string
	// run runs the story's matrices through s and records its checks with
	// s.expect; an error means the story could not be run at all.
	run func(s *session) error
}

var stories = map[int]story{}

// register adds a story; each story<N>.go calls it from init.
func register(st story) {
	if _, dup := stories[st.n]; dup {
		panic(fmt.Sprintf("stories: story %d registered twice", st.n))
	}
	stories[st.n] = st
}

// session is what a story runs with: the binary, the results directory and
// a timestamp that makes its run ids unique, and the count of unmet
// expectations.
type session struct {
	bin, results string
	ts           string
	out          io.Writer
	story        int
	failed       int
}

// expect prints one checked expectation and counts it when it does not hold.
func (s *session) expect(ok bool, format string, args ...any) {
	mark := "ok  "
	if !ok {
		mark = "FAIL"
		s.failed++
	}
	fmt.Fprintf(s.out, "  %s %s\n", mark, fmt.Sprintf(format, args...))
}

// note prints a figure the story measured, checked or not.
func (s *session) note(format string, args ...any) {
	fmt.Fprintf(s.out, "       %s\n", fmt.Sprintf(format, args...))
}

// runMatrix runs one matrix through the soaklab binary under a run id made
// unique with the session's timestamp (story<N>-<name>-<ts>), and reads the
// finished run back. Exit 0 (all GO) and 1 (some NO-GO) both finish a run;
// anything else is an error. extra is appended to `soaklab run`'s arguments.
func (s *session) runMatrix(matrixPath, name string, extra ...string) (*results.Run, string, error) {
	id := fmt.Sprintf("story%d-%s-%s", s.story, name, s.ts)
	dir := filepath.Join(s.results, id)
	args := append([]string{"run", "-m", matrixPath, "--results", s.results, "--run-id", id, "--quiet"}, extra...)
	cmd := exec.Command(s.bin, args...)
	log, err := os.Create(filepath.Join(s.results, id+".log"))
	if err != nil {
		return nil, dir, err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return nil, dir, fmt.Errorf("soaklab run -m %s: %v (log: %s)", matrixPath, err, log.Name())
	}
	s.note("ran %s in %s: %s", matrixPath, time.Since(start).Round(time.Second), dir)
	run, err := results.ReadRun(dir)
	return run, dir, err
}

func main() {
	only := flag.String("only", "1,2,3,4", "stories to run, comma-separated")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: stories [-only 1,2,3,4] <soaklab-binary> <results-dir>")
		os.Exit(2)
	}
	bin, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "stories:", err)
		os.Exit(2)
	}
	var picked []int
	for _, f := range strings.Split(*only, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if _, ok := stories[n]; err != nil || !ok {
			fmt.Fprintf(os.Stderr, "stories: -only %q: no story %q (have %s)\n", *only, f, known())
			os.Exit(2)
		}
		picked = append(picked, n)
	}
	if err := os.MkdirAll(flag.Arg(1), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "stories:", err)
		os.Exit(2)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	problems := 0
	for _, n := range picked {
		st := stories[n]
		s := &session{bin: bin, results: flag.Arg(1), ts: ts, out: os.Stdout, story: n}
		fmt.Printf("== story %d: %s\n", n, st.name)
		if err := st.run(s); err != nil {
			fmt.Printf("  FAIL could not run: %v\n", err)
			s.failed++
		}
		if s.failed > 0 {
			fmt.Printf("FAIL: story %d: %d expectations not met\n", n, s.failed)
		}
		problems += s.failed
	}
	if problems > 0 {
		os.Exit(1)
	}
	fmt.Println("PASS: every story answered")
}

func known() string {
	var ns []string
	for n := range stories {
		ns = append(ns, strconv.Itoa(n))
	}
	sort.Strings(ns)
	return strings.Join(ns, ",")
}
