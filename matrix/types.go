// Package matrix reads matrix.yaml: targets, a workload, axes, exclusions,
// comparisons and judge criteria; validates it whole with file:line:column
// errors; and expands it into cells with stable ids. It is a leaf: it knows
// nothing of processes, HTTP or results.
package matrix

import "time"

// Target kinds.
const (
	KindServer   = "server"   // soaklab drives HTTP load at it
	KindClient   = "client"   // it generates load itself against a sink soaklab runs
	KindWorkload = "workload" // it drives itself; soaklab only observes
)

// Well-known axis names. Any other name is a user axis; names starting with
// "env." set an environment variable of the target.
const (
	AxisTasks       = "tasks"
	AxisRPS         = "rps"
	AxisDuration    = "duration"
	AxisRAM         = "ram"
	AxisPercentiles = "percentiles"
	EnvAxisPrefix   = "env."
)

// Matrix is a parsed, validated matrix.yaml.
type Matrix struct {
	Path     string        // file it was read from
	Name     string        // `name:`
	Backend  string        // `backend:` process (default), docker, auto
	Interval time.Duration // `interval:` sampling interval, default 1s
	Repeats  int           // `repeats:` default 1
	Targets  []Target      // `targets:` in file order
	Workload Workload      // `workload:`
	Axes     []Axis        // `axes:` in file order
	Exclude  []map[string]string
	Include  []map[string]string
	Compare  []Compare
	Judge    Judge

	// Warnings are doubts that do not stop a run: an exclude entry that
	// matches no cell, a workload target without a throughput counter.
	Warnings Errors

	// KeepUnusedAxes expands as soaklab did before UnusedAxes: every
	// target crossed with every tasks and rps value, which then appear in
	// its cells' ids. Set it to resume a run started that way
	// (LegacyExpansion); a matrix never sets it.
	KeepUnusedAxes bool
}

// Target is one program under test.
type Target struct {
	Name string
	Kind string // KindServer (default), KindClient, KindWorkload

	// Exactly one of these says how to get the program.
	Build      string   // Go package to build, e.g. ./targets/steady
	Command    []string // any executable with arguments
	Image      string   // a local container image (docker backend)
	Dockerfile string   // a Dockerfile to build (docker backend)

	Env        map[string]string // values are text/template over the cell's axes: "{{.rps}}"
	PortEnv    string            // env var that carries the port to listen on; default PORT
	Ready      Ready
	Metrics    string        // Prometheus path, e.g. /metrics; "" = none
	Pprof      string        // pprof prefix, e.g. /debug/pprof; "" = none
	Warmup     time.Duration // excluded from drift analysis; default 10% of duration
	Throughput string        // workload targets: Prometheus counter of operations done
	SinkEnv    string        // client targets: env var that carries the sink URL; default SINK_URL
	Workload   *Workload     // server targets: a request mix of their own instead of the matrix's
	Thresholds []Threshold   // episodes above a level on any series, listed per cell
	// MetricsKeep names Prometheus families to record from each scrape
	// besides the runtime's (harness/probe.DefaultSeries); labelled
	// series of a family are summed into one value.
	MetricsKeep []string
	// MetricsMaxSeries caps the families recorded per sample; 0 = the
	// harness's default (probe.DefaultMaxSeries).
	MetricsMaxSeries int
	// ProfileEvery is how often a heap profile is taken from Pprof during
	// a cell; 0 = the default share of the cell's duration (ProfileInterval).
	ProfileEvery time.Duration

	// Axes override the values of global axes for this target, or add axes
	// only this target has; in file order.
	Axes []Axis
}

// Ready says how soaklab knows a target is up.
type Ready struct {
	Path    string        // HTTP path, default /healthz
	Timeout time.Duration // default 10s
	// None is `ready: none`: a client or workload target that listens on
	// no port is ready once started (Path is then empty).
	None bool
}

// ReadyNone is the `ready:` value of a target that listens on no port.
const ReadyNone = "none"

// Workload is the request mix soaklab's driver sends to server targets.
type Workload struct {
	Requests  []Request
	Timeout   time.Duration // per request, default 10s
	Ramp      time.Duration // linear ramp from 0 to rps, default 0
	Burst     time.Duration // with Pause: after the ramp, requests arrive only in the first Burst of every Burst+Pause; default 0 (no pauses)
	Pause     time.Duration // with Burst: the quiet part of each cycle
	MaxLabels int           // cap on distinct latency labels, default 100
	Window    time.Duration // windowed percentile mode's window, default 10s
	SampleN   int           // sampled percentile mode records 1 in N, default 10
}

// Request is one kind of request in the mix.
type Request struct {
	Label    string
	Method   string // default GET
	Path     string
	Headers  map[string]string
	BodySize int64  // bytes of generated body
	BodyFile string // or a file's contents
	Weight   int    // default 1
	// Expect lists the statuses that count as success (expect: [200, 404]);
	// empty means any status below 400.
	Expect []int
}

// Axis is a named list of values, each in its canonical spelling
// ("128MiB", "30s", "500").
type Axis struct {
	Name   string
	Values []string
}

// Compare names an A/B pair: cells that differ only in Axis, with Baseline
// as A and Candidate as B.
type Compare struct {
	Name      string
	Axis      string
	Baseline  string
	Candidate string
	Targets   []string // default: every target that has the axis
	Scorecard Scorecard
	// EarlyStop is the early-stop mode of the pair's cells: "" runs them
	// to their end (an A/B scorecard compares whole cells), whatever
	// judge.early_stop says.
	EarlyStop EarlyStop
}

// Keys of a compare block's `scorecard:`, as Scorecard.Set records them.
// max_drift_pct is also a key of `judge:` (judge.go).
const (
	KeyMinRSSDropPct        = "min_rss_drop_pct"
	KeyMaxThroughputLossPct = "max_throughput_loss_pct"
	KeyMaxDriftPct          = "max_drift_pct"
	KeyAlpha                = "alpha"
	KeyMaxCPUPerOpRisePct   = "max_cpu_per_op_rise_pct"
	KeyMaxCVPct             = "max_cv_pct"
	KeyRatios               = "ratios"
)

// Scorecard holds the gates of an A/B comparison, in percent. A zero field
// whose key is not in Set takes the default of reports/judge
// (DefaultScorecard); a key in Set is honoured as written, zero included
// (max_throughput_loss_pct: 0 allows no detectable loss).
type Scorecard struct {
	MinRSSDropPct        float64 // candidate peak RSS must drop by at least this
	MaxThroughputLossPct float64 // and lose at most this much throughput
	MaxDriftPct          float64 // and drift no more than this; never 0 from a matrix
	Alpha                float64 // significance level, default 0.05; never 0 from a matrix
	// MaxCPUPerOpRisePct: the candidate's CPU time per operation may rise
	// by at most this much (a rise not detected passes); judged when both
	// sides measured it.
	MaxCPUPerOpRisePct float64
	// MaxCVPct: the candidate's throughput CV across windows (median over
	// its repeats) must stay within this; 0 and not set: no CV gate.
	MaxCVPct float64
	// Ratios are rows on ratios of counters, each with its thresholds.
	Ratios []Ratio

	// Set holds the keys the matrix gave (KeyMaxThroughputLossPct, ...).
	// Scorecards written as Go literals may leave it nil: every zero field
	// then takes its default.
	Set map[string]bool
}

// IsSet reports whether the matrix gave key explicitly.
func (s Scorecard) IsSet(key string) bool { return s.Set[key] }

// Cell is one combination of axis values for one target.
type Cell struct {
	ID     string            // stable, readable: "leaky/ram=128MiB,rps=500,..."
	Target string            // target name
	Axes   map[string]string // every axis value, canonical spelling
	Repeat int               // 1..Repeats; 0 when Repeats is 1

	// Typed views of the well-known axes.
	Tasks       int
	RPS         float64
	Duration    time.Duration
	RAM         int64             // bytes
	Percentiles string            // hdr, windowed, sampled, off
	Env         map[string]string // target env rendered for this cell, plus env.* axes

	Kind   string        // the target's kind
	Warmup time.Duration // effective warm-up: the target's, or DefaultWarmupFraction of Duration
}
