// Command soaklab runs soak-test matrices against targets under memory
// limits and judges how their memory holds. See `soaklab help`.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"github.com/soaklab/soaklab/harness/cli"
	"github.com/soaklab/soaklab/harness/supervise"
)

// memProfileRateEnv names the environment variable that turns the Go
// memory profiler on: its value is the profiler's sampling rate in bytes
// (Go's usual rate is 524288). The profiler is off without it. Its table of
// sampled allocation stacks gains a page of RSS whenever a new stack is
// sampled, at random moments through a cell, which reads as a slow growth of
// the harness itself; `--listen` serves /debug/pprof/, whose heap and allocs
// profiles are empty unless it is on. soaklab reads its own variable rather
// than GODEBUG=memprofilerate, which the runtime applies before main and
// soaklab would have to parse as the runtime does to respect.
const memProfileRateEnv = "SOAKLAB_MEMPROFILERATE"

// memProfileRate returns the memory profiler's rate for the value of
// memProfileRateEnv: 0 (off) when it is empty.
func memProfileRate(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a sampling rate in bytes, a whole number ≥ 0 (524288 is Go's usual rate)", memProfileRateEnv, v)
	}
	return n, nil
}

// setMemProfileRate sets the memory profiler's rate from the environment,
// before anything else runs.
func setMemProfileRate() error {
	rate, err := memProfileRate(os.Getenv(memProfileRateEnv))
	if err != nil {
		return err
	}
	runtime.MemProfileRate = rate
	return nil
}

// main runs soaklab under a supervisor: the same executable as a child
// process, so that a crash anywhere in the harness (a panic in any
// goroutine, running out of memory) exits 3 with one line and leaves the
// run finished and its cgroups removed, never a stack trace and exit 2.
func main() {
	if err := setMemProfileRate(); err != nil {
		fmt.Fprintln(os.Stderr, "soaklab:", err)
		os.Exit(2)
	}
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
