// Command labelstorm is a client target modelled on a load tester that
// keeps one latency histogram per unique label: it sends GETs to SINK_URL at
// TARGET_RPS with at most TARGET_TASKS in flight for TARGET_DURATION, each
// request carrying a label from a set that grows by LABELS_PER_SEC. With
// TRACK=on and MAX_LABELS=0 its histograms grow without bound, which under a
// small memory limit ends in an OOM kill; the other knobs are the fixes.
// When the duration ends it stops sending and keeps serving /healthz and
// /metrics until SIGTERM.
//
// Knobs (defaults): PORT (required), SINK_URL (required, http://127.0.0.1
// only), TARGET_RPS (100), TARGET_TASKS (8), TARGET_DURATION (30s),
// LABELS_PER_SEC (10), TRACK (on), MAX_LABELS (0 = unbounded), ROTATE
// (0 = never), SAMPLE_N (1 = every request), HIST_SIGFIGS (3).
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// Defaults of the knobs.
const (
	DefaultRPS          = 100
	DefaultTasks        = 8
	DefaultDuration     = 30 * time.Second
	DefaultLabelsPerSec = 10
	DefaultTrack        = true
	DefaultMaxLabels    = 0
	DefaultRotate       = 0
	DefaultSampleN      = 1
	DefaultSigFigs      = 3
)

// ErrSink is wrapped around a SINK_URL that is not an http URL on 127.0.0.1.
var ErrSink = errors.New("bad sink URL")

func main() { serve.Main("labelstorm", setup) }

// config is labelstorm's knobs.
type config struct {
	Sink         string
	RPS          int
	Tasks        int
	Duration     time.Duration
	LabelsPerSec float64
	Track        bool
	MaxLabels    int
	Rotate       time.Duration
	SampleN      int
	SigFigs      int
}

func readConfig(env *serve.Env) config {
	c := config{
		Sink:         env.String("SINK_URL", ""),
		RPS:          env.Int("TARGET_RPS", DefaultRPS),
		Tasks:        env.Int("TARGET_TASKS", DefaultTasks),
		Duration:     env.Duration("TARGET_DURATION", DefaultDuration),
		LabelsPerSec: env.CountRate("LABELS_PER_SEC", DefaultLabelsPerSec),
		Track:        env.Bool("TRACK", DefaultTrack),
		MaxLabels:    env.Int("MAX_LABELS", DefaultMaxLabels),
		Rotate:       env.Duration("ROTATE", DefaultRotate),
		SampleN:      env.Int("SAMPLE_N", DefaultSampleN),
		SigFigs:      env.Int("HIST_SIGFIGS", DefaultSigFigs),
	}
	if err := checkSink(c.Sink); err != nil {
		env.Fail("SINK_URL", c.Sink, err.Error())
	}
	if c.RPS < 1 {
		env.Fail("TARGET_RPS", strconv.Itoa(c.RPS), "must be at least 1")
	}
	if c.Tasks < 1 {
		env.Fail("TARGET_TASKS", strconv.Itoa(c.Tasks), "must be at least 1")
	}
	if c.SampleN < 1 {
		env.Fail("SAMPLE_N", strconv.Itoa(c.SampleN), "must be at least 1")
	}
	if c.SigFigs < 1 || c.SigFigs > 5 {
		env.Fail("HIST_SIGFIGS", strconv.Itoa(c.SigFigs), "want 1-5")
	}
	return c
}

// checkSink accepts only http://127.0.0.1:port/... URLs.
func checkSink(s string) error {
	if s == "" {
		return fmt.Errorf("%w: SINK_URL is required", ErrSink)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrSink, s, err)
	}
	if u.Scheme != "http" || u.Hostname() != serve.Host || u.User != nil {
		return fmt.Errorf("%w: %q: want http://%s:port/...", ErrSink, s, serve.Host)
	}
	if _, err := strconv.Atoi(u.Port()); err != nil && u.Port() != "" {
		return fmt.Errorf("%w: %q: port %q", ErrSink, s, u.Port())
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %q: not loopback", ErrSink, s)
	}
	return nil
}

func setup(env *serve.Env, app *serve.App) (func(context.Context), error) {
	c := readConfig(env)
	if env.Err() != nil {
		return nil, nil
	}
	tr := newTracker(c, app.Registry)
	l := newLoad(c, tr, app.Registry)
	return l.run, nil
}
