// Command soaklab runs soak-test matrices against targets under memory
// limits and judges how their memory holds. See `soaklab help`.
package main

import (
	"context"
	"os"
	"runtime"

	"github.com/soaklab/soaklab/harness/cli"
	"github.com/soaklab/soaklab/harness/internal/godebug"
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

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.OSEnv()))
}
