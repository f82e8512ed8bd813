// Package live serves a run's progress as Prometheus metrics while it runs,
// so a 24-hour soak can be watched in Grafana: the target's and the driver's
// memory, the load, latency, and how far the matrix has got.
//
// The endpoint listens on loopback only. The metric names are documented in
// docs/operations.md; they describe the cell running now (soakers run one
// cell at a time), with soaklab_cell_info{cell,target} naming it.
package live

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/soaklab/soaklab/harness/buildinfo"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

var _ runner.Observer = (*Exporter)(nil)

// Exporter is a runner.Observer that keeps the latest sample as Prometheus
// metrics in its own registry (no process-wide default registry, no Go
// runtime collectors unless asked). Serve exposes them over HTTP.
type Exporter struct {
	reg *prometheus.Registry

	cellInfo     *prometheus.GaugeVec
	rss          prometheus.Gauge
	workingSet   prometheus.Gauge
	usage        prometheus.Gauge
	limit        prometheus.Gauge
	driverRSS    prometheus.Gauge
	driverAnon   prometheus.Gauge
	driverHeap   prometheus.Gauge
	rps          prometheus.Gauge
	p99          prometheus.Gauge
	errors       prometheus.Counter
	requests     prometheus.Counter
	latency      *latencyHistogram
	oomKills     *growth
	majorFaults  *growth
	cells        prometheus.Gauge
	cellsDone    *prometheus.CounterVec
	elapsed      prometheus.Gauge
	duration     prometheus.Gauge
	targetMetric *prometheus.GaugeVec

	serveMu  sync.Mutex
	server   *server
	warnings prometheus.Counter
}

// New returns an Exporter with every metric registered at zero.
func New() *Exporter {
	e := &Exporter{reg: prometheus.NewRegistry()}
	g := func(name, help string) prometheus.Gauge {
		m := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		e.reg.MustRegister(m)
		return m
	}
	c := func(name, help string) prometheus.Counter {
		m := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		e.reg.MustRegister(m)
		return m
	}
	e.cellInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "soaklab_cell_info",
		Help: "1 for the cell running now, labelled with its id and target."}, []string{"cell", "target"})
	e.cellsDone = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "soaklab_cells_done_total",
		Help: "Cells finished in this run, by outcome."}, []string{"outcome"})
	e.targetMetric = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "soaklab_target_metric",
		Help: "Series scraped from the target's own /metrics in the latest sample, by series name."}, []string{"name"})
	e.latency = newLatencyHistogram()
	e.reg.MustRegister(e.cellInfo, e.cellsDone, e.targetMetric, e.latency, buildInfo(buildinfo.Read()))

	e.rss = g("soaklab_target_rss_bytes", "Target resident set size (procfs VmRSS) at the latest sample.")
	e.workingSet = g("soaklab_target_working_set_bytes", "Target cgroup working set (usage - inactive_file) at the latest sample.")
	e.usage = g("soaklab_target_cgroup_usage_bytes", "Target cgroup memory usage at the latest sample.")
	e.limit = g("soaklab_memory_limit_bytes", "Memory limit of the running cell.")
	e.driverRSS = g("soaklab_driver_rss_bytes", "soaklab's own resident set size at the latest sample.")
	e.driverAnon = g("soaklab_driver_rss_anon_bytes", "soaklab's own anonymous resident memory (RssAnon) at the latest sample.")
	e.driverHeap = g("soaklab_driver_heap_bytes", "soaklab's own Go heap objects at the latest sample.")
	e.rps = g("soaklab_requests_per_second", "Requests completed per second over the latest interval.")
	e.p99 = g("soaklab_latency_p99_seconds", "Corrected p99 latency over the latest interval.")
	e.errors = c("soaklab_errors_total", "Failed requests in this run.")
	e.requests = c("soaklab_requests_total", "Requests the driver finished in this run, failed ones included.")
	e.oomKills = newGrowth(c("soaklab_oom_kills_total", "Kernel OOM kills of targets in this run (cgroup oom_kill counter)."))
	e.majorFaults = newGrowth(c("soaklab_target_major_faults_total",
		"Major page faults of targets' cgroups in this run (pgmajfault): pages read back from disk, fast when a cgroup thrashes at its limit."))
	e.cells = g("soaklab_run_cells", "Cells this run (or shard) will run, done ones included.")
	e.elapsed = g("soaklab_cell_elapsed_seconds", "Seconds since the running cell's target started.")
	e.duration = g("soaklab_cell_duration_seconds", "Requested duration of the running cell.")
	e.warnings = c("soaklab_warnings_total", "Warnings the runner reported in this run.")
	for _, o := range []results.Outcome{results.Completed, results.OOMKilled, results.Crashed,
		results.NotReady, results.Errored, results.Interrupted} {
		e.cellsDone.WithLabelValues(string(o)) // present at 0 so rate() and absent() work from the start
	}
	return e
}

// Registry is the exporter's private registry (to add collectors to, or to
// gather from in tests).
func (e *Exporter) Registry() *prometheus.Registry { return e.reg }

func (e *Exporter) RunStarted(run *results.Run, cells []matrix.Cell) {
	e.cells.Set(float64(len(cells)))
}

func (e *Exporter) CellStarted(i, n int, c matrix.Cell) {
	e.cellInfo.Reset()
	e.cellInfo.WithLabelValues(c.ID, c.Target).Set(1)
	e.targetMetric.Reset()
	for _, g := range []prometheus.Gauge{e.rss, e.workingSet, e.usage, e.rps, e.p99, e.elapsed} {
		g.Set(0)
	}
	e.limit.Set(float64(c.RAM))
	e.duration.Set(c.Duration.Seconds())
}

func (e *Exporter) Sampled(c matrix.Cell, s results.Sample) {
	e.rss.Set(float64(s.RSS))
	e.workingSet.Set(float64(s.WorkingSet))
	e.usage.Set(float64(s.Usage))
	if s.DriverRSS > 0 {
		e.driverRSS.Set(float64(s.DriverRSS))
	}
	if s.DriverAnon > 0 {
		e.driverAnon.Set(float64(s.DriverAnon))
	}
	if s.DriverHeap > 0 {
		e.driverHeap.Set(float64(s.DriverHeap))
	}
	e.rps.Set(s.RPS)
	e.p99.Set(s.P99 / 1000)
	e.elapsed.Set(s.T)
	if s.Errors > 0 {
		e.errors.Add(float64(s.Errors))
	}
	if s.Requests > 0 {
		e.requests.Add(float64(s.Requests))
	}
	e.latency.add(&s.Latency)
	e.oomKills.add(c.ID, s.OOMKills)
	e.majorFaults.add(c.ID, s.MajorFaults)
	e.targetMetric.Reset()
	for name, v := range s.Metrics {
		e.targetMetric.WithLabelValues(name).Set(v)
	}
}

func (e *Exporter) CellEnded(i, n int, r *results.Cell) {
	e.oomKills.add(r.ID, r.OOMKills)
	e.cellsDone.WithLabelValues(string(r.Outcome)).Inc()
	e.cellInfo.Reset()
}

func (e *Exporter) Warn(string) { e.warnings.Inc() }

// growth feeds a counter from a cumulative count sampled per cell (the
// cgroup's oom_kill, pgmajfault), adding only what is new.
type growth struct {
	c    prometheus.Counter
	mu   sync.Mutex
	seen map[string]int64 // count already added, per cell
}

func newGrowth(c prometheus.Counter) *growth { return &growth{c: c, seen: map[string]int64{}} }

func (g *growth) add(cell string, n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if d := n - g.seen[cell]; d > 0 {
		g.c.Add(float64(d))
		g.seen[cell] = n
	}
}
