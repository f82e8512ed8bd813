// Command soaklab runs soak-test matrices against targets under memory
// limits and judges how their memory holds. See `soaklab help`.
package main

import (
	"context"
	"os"
	"runtime"

	"github.com/soaklab/soaklab/harness/cli"
	"github.com/soaklab/soaklab/harness/internal/godebug"
	"github.com/soaklab/soaklab/harness/supervise"
)

// The Go memory profiler is off in soaklab unless GODEBUG=memprofilerate=N
// asks for it. With it on, every sampled allocation whose stack is new adds
// a bucket to the profiler's hash table of stacks, 1.4 MiB touched a page
// at a time and never returned: soaklab's own RSS gains a page at random
// moments through a cell, ever more rarely, which a self-soak reads as a
// slope of the harness's memory. `--listen` serves /debug/pprof/, whose
// heap and allocs profiles are empty unless it is on.
func init() {
	if !memProfileAsked(os.Getenv("GODEBUG")) {
		runtime.MemProfileRate = 0
	}
}

// memProfileAsked reports whether the GODEBUG value env sets memprofilerate.
func memProfileAsked(env string) bool {
	_, ok := godebug.Value(env, "memprofilerate")
	return ok
}

// main runs soaklab under a supervisor: the same executable as a child
// process, so that a crash anywhere in the harness (a panic in any
// goroutine, running out of memory) exits 3 with one line and leaves the
// run finished and its cgroups removed, never a stack trace and exit 2.
func main() {
	if supervise.IsChild(os.Getenv) || os.Getenv(unsupervisedEnv) == "1" {
		os.Exit(cli.Main(context.Background(), os.Args[1:], cli.OSEnv()))
	}
	exe, err := os.Executable()
	if err != nil {
		os.Exit(cli.Main(context.Background(), os.Args[1:], cli.OSEnv()))
	}
	os.Exit(supervise.Run(supervise.Config{
		Exe: exe, Args: os.Args[1:], Env: os.Environ(),
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Signals: supervise.Notify(),
		Cleanup: func(runDir string, pid int) string { return cli.Abandon(runDir) },
	}))
}

// unsupervisedEnv=1 runs soaklab in this process, without the supervisor
// (for debugging soaklab itself).
const unsupervisedEnv = "SOAKLAB_NO_SUPERVISOR"
