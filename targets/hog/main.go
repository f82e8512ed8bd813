// Command hog grows at HOG_RATE, writing every page it takes, until the
// kernel kills it (or HOG_MAX is reached, when set). It serves /healthz
// while it grows, so a harness sees it ready and then sees it OOM-killed.
//
// Knobs: PORT (required), HOG_RATE (64MiB/s), HOG_MAX (0 = no cap),
// HOG_CODE (memory: run from a memfd so the limit ends in a kill; disk: run
// from the file; copy: from a copy charged to its own cgroup, which thrashes
// at the limit instead; see code.go).
package main

import (
	"context"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// Defaults of the knobs.
const (
	DefaultRate = 64 << 20 // bytes per second
	DefaultMax  = 0        // no cap: grow until killed
)

// tick is how often the hog takes its next slice.
const tick = 10 * time.Millisecond

// pageSize is the stride at which grown memory is written.
const pageSize = 4096

func main() {
	relocate(os.LookupEnv, os.Stderr)
	serve.Main("hog", setup)
}

func setup(env *serve.Env, app *serve.App) (func(context.Context), error) {
	env.Choice("HOG_CODE", CodeMemory, CodeMemory, CodeDisk, CodeCopy)
	h := newHog(env.Rate("HOG_RATE", DefaultRate), env.Size("HOG_MAX", DefaultMax), app.Registry)
	return h.run, nil
}

// hog holds every slice it grows.
type hog struct {
	rate  float64
	max   int64
	held  [][]byte
	total int64
	bytes prometheus.Gauge
}

func newHog(rate float64, max int64, reg prometheus.Registerer) *hog {
	h := &hog{rate: rate, max: max, bytes: prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "hog_held_bytes", Help: "Bytes grown and held (every page written).",
	})}
	reg.MustRegister(h.bytes)
	return h
}

// run grows so that after t seconds it holds rate·t bytes (capped at max
// when max > 0), until ctx ends.
func (h *hog) run(ctx context.Context) {
	start := time.Now()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			want := int64(h.rate * now.Sub(start).Seconds())
			if h.max > 0 {
				want = min(want, h.max)
			}
			if n := want - h.total; n > 0 {
				h.grow(int(n))
			}
		}
	}
}

// grow takes n bytes and writes every page of them.
func (h *hog) grow(n int) {
	b := make([]byte, n)
	for i := 0; i < n; i += pageSize {
		b[i] = 1
	}
	h.held = append(h.held, b)
	h.total += int64(n)
	h.bytes.Set(float64(h.total))
}
