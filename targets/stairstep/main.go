// Command stairstep is a small HTTP service whose handler parses request
// bodies of 30 KB – 2 MB, clones them through intermediate buffers, waits
// SLEEP_MS for a slow dependency and answers. Under concurrency its RSS
// climbs in steps; VARIANT picks the allocation strategy so A/B comparisons
// have something to compare:
//
//	naive   fresh buffers every request (io.ReadAll, copies, per-line keys)
//	pooled  size-classed buffers from sync.Pools, keys as sub-slices
//	capped  naive, with debug.SetMemoryLimit(CAP_LIMIT) and GOGC=CAP_GOGC
//
// Knobs: PORT (required), VARIANT (naive), SLEEP_MS (20), COPIES (3),
// MAX_BODY (8MiB), CAP_LIMIT (48MiB), CAP_GOGC (25).
package main

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// Defaults of the knobs.
const (
	DefaultVariant  = "naive"
	DefaultSleepMS  = 20
	DefaultCopies   = 3
	DefaultMaxBody  = 8 << 20
	DefaultCapLimit = 48 << 20
	DefaultCapGOGC  = 25
)

// Variants are the allocation strategies VARIANT accepts.
var Variants = []string{"naive", "pooled", "capped"}

func main() { serve.Main("stairstep", setup) }

// config is stairstep's knobs.
type config struct {
	Variant  string
	Sleep    time.Duration
	Copies   int
	MaxBody  int64
	CapLimit int64
	CapGOGC  int
}

func readConfig(env *serve.Env) config {
	c := config{
		Variant:  env.Choice("VARIANT", DefaultVariant, Variants...),
		Sleep:    time.Duration(env.Int("SLEEP_MS", DefaultSleepMS)) * time.Millisecond,
		Copies:   env.Int("COPIES", DefaultCopies),
		MaxBody:  env.Size("MAX_BODY", DefaultMaxBody),
		CapLimit: env.Size("CAP_LIMIT", DefaultCapLimit),
		CapGOGC:  env.Int("CAP_GOGC", DefaultCapGOGC),
	}
	if c.Copies < 1 || c.Copies > 16 {
		env.Fail("COPIES", "", "want 1-16")
	}
	if c.MaxBody > maxClass {
		env.Fail("MAX_BODY", "", "at most 64MiB")
	}
	return c
}

func setup(env *serve.Env, app *serve.App) (func(context.Context), error) {
	c := readConfig(env)
	if env.Err() != nil {
		return nil, nil
	}
	if c.Variant == "capped" {
		debug.SetMemoryLimit(c.CapLimit)
		debug.SetGCPercent(c.CapGOGC)
	}
	p := newParser(c, app.Registry)
	app.Mux.HandleFunc("POST /parse", p.serveParse)
	return nil, nil
}
