// Package cli is soaklab's command line: every command is a function of
// its arguments and an Env (writers, environment, OS roots, signals), so
// the whole CLI runs in tests.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/supervise"
)

// Exit codes. CI keys on them: 1 is "the soak found a problem", 3 is "the
// tool broke".
const (
	ExitOK      = 0 // every cell GO or NEUTRAL
	ExitNoGo    = 1 // at least one cell or comparison NO-GO
	ExitUsage   = 2 // bad arguments or a bad matrix
	ExitHarness = 3 // soaklab itself failed
)

// Env is what a command gets from the operating system.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Signals delivers SIGINT/SIGTERM; nil means none.
	Signals    <-chan os.Signal
	ProcRoot   string // normally /proc
	CgroupRoot string // normally /sys/fs/cgroup
	Mounts     string // normally /proc/self/mounts
	Now        func() time.Time
	// IsTerminal says whether Stdout is a terminal (live progress).
	IsTerminal bool
	// Dir is the working directory; a run records its matrix's path
	// against it.
	Dir      string
	Hostname string // recorded in run.json
	PID      int    // soaklab's own pid, sampled as the driver's memory; 0 = not sampled
	// Exit ends the process at once (a second signal); nil = it does not.
	Exit func(code int)
	// Announce tells a supervising parent the run directory, so it can
	// finish the run's bookkeeping if this process crashes; nil = none.
	Announce func(runDir string)
}

// OSEnv is the real environment.
func OSEnv() Env {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	dir, _ := os.Getwd()
	hostname, _ := os.Hostname()
	return Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Signals: sig,
		ProcRoot: "/proc", CgroupRoot: "/sys/fs/cgroup", Mounts: "/proc/self/mounts",
		Now: time.Now, IsTerminal: isTerminal(os.Stdout), Dir: dir, Hostname: hostname,
		PID: os.Getpid(), Exit: os.Exit,
		Announce: func(dir string) { supervise.Announce(os.Getenv, dir) }}
}

// pipelineEnv is the part of env the run pipeline needs.
func pipelineEnv(env Env) pipeline.Env {
	p := pipeline.Env{Stderr: env.Stderr, Signals: env.Signals, ProcRoot: env.ProcRoot, CgroupRoot: env.CgroupRoot,
		Mounts: env.Mounts, Now: env.Now, Dir: env.Dir, Hostname: env.Hostname, PID: env.PID}
	if env.Exit != nil {
		p.Exit = func() { env.Exit(ExitHarness) }
	}
	return p
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

type command struct {
	summary string
	run     func(ctx context.Context, args []string, env Env) int
}

// commands is the explicit registry of subcommands.
var commands map[string]command

func init() {
	commands = map[string]command{
		"run":      {"run a matrix and write results and a report", cmdRun},
		"report":   {"re-judge and re-render a run's report from its results", cmdReport},
		"validate": {"check a matrix and report every problem with its position", cmdValidate},
		"expand":   {"list the cells a matrix expands to, with their ids", cmdExpand},
		"clean":    {"remove cgroups and containers left by earlier runs", cmdClean},
		"compare":  {"compare two runs cell by cell and flag memory regressions", cmdCompare},
		"history":  {"render trend plots of every cell across runs", cmdHistory},
		"merge":    {"join the results of sharded runs into one run", cmdMerge},
	}
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "soaklab: unknown command %q%s\n", args[0], suggest(args[0]))
		return ExitUsage
	}
	return c.run(ctx, args[1:], env)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "soaklab: soak tests and memory-regression judging")
	fmt.Fprintln(w, "\nUsage: soaklab <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun `soaklab <command> -h` for a command's flags.")
	fmt.Fprintln(w, "Exit status: 0 no NO-GO, 1 some NO-GO, 2 bad usage or matrix, 3 soaklab failed.")
}

func suggest(name string) string {
	for n := range commands {
		if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	return "; run `soaklab help`"
}

// flags makes a FlagSet that reports to env.Stderr and never exits.
func flags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("soaklab "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parse parses flags and maps errors to an exit code (-1 = go on). A bad
// flag is one line naming it (the flags are listed by -h, not after every
// mistake).
func parse(fs *flag.FlagSet, args []string) int {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return ExitOK
	case err != nil:
		fmt.Fprintln(out, results.Printable(fmt.Sprintf("%s: %v (flags: %s -h)", fs.Name(), err, fs.Name())))
		return ExitUsage
	}
	return -1
}

// fail prints a one-line error and returns code.
func fail(env Env, code int, format string, a ...any) int {
	fmt.Fprintln(env.Stderr, results.Printable("soaklab: "+fmt.Sprintf(format, a...)))
	return code
}
