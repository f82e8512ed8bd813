// Package cli is soaklab's command line: every command is a function of
// its arguments and an Env (writers, environment, OS roots, signals), so
// the whole CLI runs in tests. The work is done by harness/pipeline (runs)
// and matrix (matrix files); this package holds flags, printing and exit
// codes.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/supervise"
	"github.com/soaklab/soaklab/matrix"
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
	// GOOS is the operating system (runtime.GOOS when empty): run and clean
	// need Linux.
	GOOS string
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

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			// `soaklab help run` is `soaklab run -h`.
			if _, ok := lookup(args[1]); ok {
				return Main(ctx, []string{args[1], "-h"}, env)
			}
			return unknown(env, args[1])
		}
		usage(env.Stdout)
		return ExitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	c, ok := lookup(args[0])
	if !ok {
		return unknown(env, args[0])
	}
	if refuseOffLinux(args[0], env) {
		return ExitUsage
	}
	return c.run(ctx, args[1:], env)
}

func unknown(env Env, name string) int {
	fmt.Fprintf(env.Stderr, "soaklab: unknown command %q%s\n", name, suggest(name))
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "soaklab: soak tests and memory-regression judging")
	fmt.Fprintln(w, "\nUsage: soaklab <command> [arguments] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `soaklab <command> -h` (or `soaklab help <command>`) for a command's arguments, flags and examples.")
	fmt.Fprintln(w, "Flags may come before or after arguments; `--` ends the flags.")
	fmt.Fprintln(w, "Exit status: 0 no NO-GO, 1 some NO-GO, 2 bad usage or matrix, 3 soaklab failed.")
}

// suggest names the command nearest to a mistyped one: one it begins, or
// one at most two edits away.
func suggest(name string) string {
	best, bestD := "", 3
	for _, c := range commands() {
		d := matrix.EditDistance(name, c.name)
		if len(name) >= 2 && len(name) < len(c.name) && c.name[:len(name)] == name {
			d = 1
		}
		if d < bestD && d < max(len(name), 2) {
			best, bestD = c.name, d
		}
	}
	if best == "" {
		return "; run `soaklab help` for the list"
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// fail prints a one-line error and returns code.
func fail(env Env, code int, format string, a ...any) int {
	fmt.Fprintln(env.Stderr, results.Printable("soaklab: "+fmt.Sprintf(format, a...)))
	return code
}

// Abandon finishes the bookkeeping of a run whose harness crashed (see
// pipeline.Abandon), with this machine's OS roots; it returns the line that
// says how to finish the run, or "".
func Abandon(runDir string) string {
	return pipeline.Abandon(runDir, pipeline.Env{ProcRoot: "/proc", CgroupRoot: "/sys/fs/cgroup", Mounts: "/proc/self/mounts"})
}
