// Package load is soaklab's open-model HTTP load driver.
//
// Requests are scheduled at a constant arrival rate (optionally ramping up
// linearly), independent of how fast the target answers. At most Tasks
// requests are in flight; a request whose intended send time passes while
// every task is busy waits, and its latency still counts from the intended
// time. Both that corrected latency and the uncorrected service time are
// reported, so a stalled target cannot hide its own stall (coordinated
// omission). Latency is kept in one of four percentile modes whose memory is
// bounded and known in advance (see Mode and Driver.MemoryBytes).
//
// All traffic goes to loopback: New refuses any other host.
package load

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Mode is how the driver keeps latency.
type Mode string

// Percentile modes.
const (
	// ModeHDR keeps one corrected and one uncorrected histogram per label for
	// the whole run.
	ModeHDR Mode = "hdr"
	// ModeWindowed records into per-label window histograms that are merged
	// into the run totals and reset every Window. Its memory is fixed: one
	// window and one total per label and kind, whatever the run length.
	ModeWindowed Mode = "windowed"
	// ModeSampled records 1 in SampleN requests of each label into the
	// histograms; counts, min, max and mean still see every request.
	ModeSampled Mode = "sampled"
	// ModeOff keeps count, min, max and mean per label and no histogram.
	ModeOff Mode = "off"
)

// Documented defaults applied by New to zero fields.
const (
	DefaultTasks     = 64
	DefaultTimeout   = 10 * time.Second
	DefaultWindow    = 10 * time.Second
	DefaultSampleN   = 10
	DefaultMaxLabels = 100
	DefaultMode      = ModeHDR
	// OverflowLabel collects the requests of labels past MaxLabels.
	OverflowLabel = "_overflow"
)

// ErrConfig is wrapped by every validation error of New.
var ErrConfig = errors.New("load: invalid config")

// ErrNotLoopback is returned when BaseURL does not point at loopback.
var ErrNotLoopback = errors.New("load: base URL is not a loopback address")

// Request is one kind of request in the mix.
type Request struct {
	Label  string // latency label; default Path
	Method string // default GET
	Path   string // default /
	Header http.Header
	Body   []byte // sent as is with every request of this kind; generated once by the caller
	Weight int    // share of the mix; default 1
	// Expect lists the statuses that count as success; a status not in it
	// is an error (http-4xx, http-5xx, or http-unexpected below 400).
	// Empty: every status below 400 succeeds.
	Expect []int
}

// Config says what load to drive.
type Config struct {
	BaseURL   string        // http://127.0.0.1:PORT; non-loopback hosts are refused
	Rate      float64       // requests per second; <= 0 means max-rate mode (as fast as Tasks allow)
	Tasks     int           // max requests in flight; default DefaultTasks
	Duration  time.Duration // how long requests are started
	Ramp      time.Duration // linear ramp from 0 to Rate, part of Duration
	Burst     time.Duration // with Pause: after the ramp, requests start only in the first Burst of every Burst+Pause
	Pause     time.Duration // with Burst: the quiet part of each cycle
	Timeout   time.Duration // per request; default DefaultTimeout
	Mix       []Request     // weighted; empty = GET /
	Mode      Mode          // default DefaultMode
	Window    time.Duration // windowed mode rotation; default DefaultWindow
	SampleN   int           // sampled mode: record 1 in N; default DefaultSampleN
	MaxLabels int           // default DefaultMaxLabels; labels past it fold into OverflowLabel
}

// withDefaults returns cfg with zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.Tasks == 0 {
		cfg.Tasks = DefaultTasks
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Mode == "" {
		cfg.Mode = DefaultMode
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.SampleN == 0 {
		cfg.SampleN = DefaultSampleN
	}
	if cfg.MaxLabels == 0 {
		cfg.MaxLabels = DefaultMaxLabels
	}
	if len(cfg.Mix) == 0 {
		cfg.Mix = []Request{{Method: http.MethodGet, Path: "/"}}
	}
	return cfg
}

// validate reports every problem of a defaulted config at once.
func (cfg Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	if err := checkLoopback(cfg.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if cfg.Tasks < 0 {
		bad("Tasks: %d, want > 0", cfg.Tasks)
	}
	if cfg.Duration <= 0 {
		bad("Duration: %v, want > 0", cfg.Duration)
	}
	if cfg.Ramp < 0 || cfg.Ramp > cfg.Duration {
		bad("Ramp: %v, want between 0 and Duration %v", cfg.Ramp, cfg.Duration)
	}
	if cfg.Ramp > 0 && cfg.Rate <= 0 {
		bad("Ramp: %v needs a Rate > 0", cfg.Ramp)
	}
	if cfg.Burst < 0 || cfg.Pause < 0 || (cfg.Burst > 0) != (cfg.Pause > 0) {
		bad("Burst %v and Pause %v: give both > 0 or neither", cfg.Burst, cfg.Pause)
	}
	if cfg.Burst > 0 && cfg.Rate <= 0 {
		bad("Burst: %v needs a Rate > 0", cfg.Burst)
	}
	if cfg.Timeout < 0 {
		bad("Timeout: %v, want > 0", cfg.Timeout)
	}
	switch cfg.Mode {
	case ModeHDR, ModeWindowed, ModeSampled, ModeOff:
	default:
		bad("Mode: %q, want hdr, windowed, sampled or off", cfg.Mode)
	}
	if cfg.Window < 0 {
		bad("Window: %v, want > 0", cfg.Window)
	}
	if cfg.SampleN < 0 {
		bad("SampleN: %d, want >= 1", cfg.SampleN)
	}
	if cfg.MaxLabels < 0 {
		bad("MaxLabels: %d, want >= 1", cfg.MaxLabels)
	}
	for i, r := range cfg.Mix {
		if r.Weight < 0 {
			bad("Mix[%d].Weight: %d, want >= 0", i, r.Weight)
		}
		if r.Path != "" && r.Path[0] != '/' {
			bad("Mix[%d].Path: %q, want a path starting with /", i, r.Path)
		}
	}
	return errors.Join(errs...)
}

// checkLoopback refuses base URLs whose host is not a loopback address.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("%w: BaseURL: %q: %v", ErrConfig, base, err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("%w: BaseURL: %q: scheme must be http", ErrConfig, base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: BaseURL: %q: host %q (only 127.0.0.0/8, ::1 and localhost are allowed)", ErrNotLoopback, base, host)
	}
	return nil
}
