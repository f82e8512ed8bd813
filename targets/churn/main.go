// Command churn is a workload target: on its own, with no requests, it
// replaces random entries of a CHURN_LIVE working set with fresh
// allocations of about CHURN_BYTES (between half and twice that) at
// CHURN_RATE operations a second, and counts them in churn_ops_total. LEAN=1
// trades throughput for RSS: GOGC is lowered to LEAN_GOGC and
// debug.FreeOSMemory runs every LEAN_EVERY operations.
//
// Knobs (defaults): PORT (required), CHURN_BYTES (64KiB), CHURN_LIVE
// (64MiB), CHURN_RATE (2000 ops/s; 0 = as fast as it can), LEAN (0),
// LEAN_EVERY (1000), LEAN_GOGC (25), CHURN_DURATION (1h; 0 = until SIGTERM).
package main

import (
	"context"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// Defaults of the knobs.
const (
	DefaultBytes     = 64 << 10
	DefaultLive      = 64 << 20
	DefaultRate      = 2000
	DefaultLeanEvery = 1000
	DefaultLeanGOGC  = 25
	DefaultDuration  = time.Hour
)

func main() { serve.Main("churn", setup) }

// config is churn's knobs.
type config struct {
	Bytes     int64
	Live      int64
	Rate      int
	Lean      bool
	LeanEvery int
	LeanGOGC  int
	Duration  time.Duration
}

func readConfig(env *serve.Env) config {
	c := config{
		Bytes:     env.Size("CHURN_BYTES", DefaultBytes),
		Live:      env.Size("CHURN_LIVE", DefaultLive),
		Rate:      env.Int("CHURN_RATE", DefaultRate),
		Lean:      env.Bool("LEAN", false),
		LeanEvery: env.Int("LEAN_EVERY", DefaultLeanEvery),
		LeanGOGC:  env.Int("LEAN_GOGC", DefaultLeanGOGC),
		Duration:  env.Duration("CHURN_DURATION", DefaultDuration),
	}
	if c.Bytes < 16 || c.Bytes > 1<<30 {
		env.Fail("CHURN_BYTES", strconv.FormatInt(c.Bytes, 10), "want 16B-1GiB")
	}
	if c.Live < c.Bytes {
		env.Fail("CHURN_LIVE", strconv.FormatInt(c.Live, 10), "must be at least CHURN_BYTES")
	}
	if c.LeanEvery < 1 {
		env.Fail("LEAN_EVERY", strconv.Itoa(c.LeanEvery), "must be at least 1")
	}
	return c
}

func setup(env *serve.Env, app *serve.App) (func(context.Context), error) {
	c := readConfig(env)
	if env.Err() != nil {
		return nil, nil
	}
	if c.Lean {
		debug.SetGCPercent(c.LeanGOGC)
	}
	w := newWorker(c, app.Registry)
	return w.run, nil
}
