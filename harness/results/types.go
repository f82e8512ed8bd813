// Package results defines soaklab's on-disk run format: the run manifest
// (run.json), one result per cell (cells/<dir>/result.json) and the samples
// streamed while a cell runs (cells/<dir>/samples.jsonl).
//
// It is a leaf: it knows nothing of processes, HTTP or verdict logic. The
// harness writes raw measurements; reports fill in Analysis, Verdict and
// Reasons and write the run back.
package results

import (
	"time"
)

// SchemaVersion is written into every run.json and result.json. Readers
// convert older schemas and refuse newer ones (ErrSchema).
//
//   - 1: a cell's analysis is a flat map of numbers, booleans as 0 or 1.
//   - 2: a cell's analysis is Analysis, grouped by criterion.
const SchemaVersion = 2

// Outcome is how a cell ended.
type Outcome string

// Outcomes.
const (
	Completed   Outcome = "completed"
	OOMKilled   Outcome = "oom-killed"
	Crashed     Outcome = "crashed"
	NotReady    Outcome = "not-ready"
	Errored     Outcome = "error"
	Interrupted Outcome = "interrupted"
)

// Verdict is the judge's decision on a cell or a comparison.
type Verdict string

// Verdicts.
const (
	GO      Verdict = "GO"
	NEUTRAL Verdict = "NEUTRAL"
	NOGO    Verdict = "NO-GO"
)

// Status is how one criterion came out.
type Status string

// Criterion statuses. UNKNOWN means the data could not decide (too few
// samples, an interval straddling the threshold).
const (
	Pass    Status = "PASS"
	Fail    Status = "FAIL"
	Unknown Status = "UNKNOWN"
)

// Reason is one criterion's result, with the numbers that decided it.
type Reason struct {
	Criterion string  `json:"criterion"`       // e.g. "oom", "drift", "slope"
	Status    Status  `json:"status"`          // PASS, FAIL, UNKNOWN
	Hard      bool    `json:"hard"`            // a FAIL of a hard criterion is NO-GO
	Message   string  `json:"message"`         // human sentence with numbers
	Value     float64 `json:"value,omitempty"` // measured value
	Limit     float64 `json:"limit,omitempty"` // threshold it was held against
	Unit      string  `json:"unit,omitempty"`  // unit of Value and Limit
}

// Sample is one reading taken every interval while a cell runs. Memory is in
// bytes; zero means "not available" for optional fields.
type Sample struct {
	T     float64   `json:"t"`               // seconds since the cell's target started
	At    time.Time `json:"at"`              // wall clock
	Phase string    `json:"phase,omitempty"` // "warmup" or "" (measured)

	RSS        int64 `json:"rss"`                // target VmRSS (procfs), summed over the process
	RSSPeak    int64 `json:"rss_peak,omitempty"` // target VmHWM
	RSSAnon    int64 `json:"rss_anon,omitempty"` // RssAnon
	RSSFile    int64 `json:"rss_file,omitempty"` // RssFile
	Threads    int64 `json:"threads,omitempty"`
	Usage      int64 `json:"usage,omitempty"`       // cgroup memory usage
	WorkingSet int64 `json:"working_set,omitempty"` // usage - inactive_file
	Anon       int64 `json:"anon,omitempty"`        // cgroup anon (v2) / total_rss (v1)
	File       int64 `json:"file,omitempty"`        // cgroup file (v2) / total_cache (v1)
	CgroupPeak int64 `json:"cgroup_peak,omitempty"` // cgroup max usage so far
	// What the kernel cannot reclaim from the cgroup (docs/memory.md):
	// Unreclaimable = Anon + Shmem + Kernel + Sock. Shmem (tmpfs, /dev/shm,
	// memfd, SysV) is also inside File; Kernel is kernel memory less
	// reclaimable slab; Sock is socket buffers.
	Unreclaimable int64 `json:"unreclaimable,omitempty"`
	Shmem         int64 `json:"shmem,omitempty"`
	Kernel        int64 `json:"kernel,omitempty"`
	Sock          int64 `json:"sock,omitempty"`
	OOMKills      int64 `json:"oom_kills,omitempty"` // cgroup oom_kill counter
	// MajorFaults is the cgroup's major page faults so far (pgmajfault):
	// at the limit, a climbing count is the cgroup thrashing.
	MajorFaults int64 `json:"major_faults,omitempty"`
	// Pressure is the cgroup's memory pressure stall information (cgroup
	// v2's memory.pressure); absent on v1 and where the kernel keeps none.
	Pressure *MemPressure `json:"mem_pressure,omitempty"`
	// CPUUs is the CPU time the target's cgroup used so far, user and
	// system, in microseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec);
	// absent where no cgroup counts it.
	CPUUs int64 `json:"cpu_us,omitempty"`
	// Context switches of the target's threads so far (procfs
	// voluntary_ctxt_switches and nonvoluntary_ctxt_switches summed over
	// the cgroup's processes' threads): voluntary ones are waits (I/O,
	// locks, sleeps), involuntary ones preemptions.
	CtxVoluntary    int64 `json:"ctx_voluntary,omitempty"`
	CtxNonvoluntary int64 `json:"ctx_nonvoluntary,omitempty"`

	// The harness's own memory: RSS, its anonymous part (without the pages
	// of its executable), and its Go heap objects and goroutines.
	DriverRSS        int64 `json:"driver_rss,omitempty"`
	DriverAnon       int64 `json:"driver_rss_anon,omitempty"`
	DriverHeap       int64 `json:"driver_heap,omitempty"`
	DriverGoroutines int64 `json:"driver_goroutines,omitempty"`

	// Load over the last interval: what soaklab's driver sent to a server
	// target, or what a client target sent to soaklab's sink.
	Requests int64   `json:"requests,omitempty"`   // completed in the interval
	Errors   int64   `json:"errors,omitempty"`     // failed in the interval
	RPS      float64 `json:"rps,omitempty"`        // completed per second in the interval
	P50      float64 `json:"p50_ms,omitempty"`     // corrected latency, ms, this interval
	P99      float64 `json:"p99_ms,omitempty"`     // corrected latency, ms, this interval
	P99Raw   float64 `json:"p99_raw_ms,omitempty"` // uncorrected (service time) p99, ms
	// Bytes are the request body bytes received in the interval (client
	// targets: by soaklab's sink, whose requests, errors and rate are the
	// fields above).
	Bytes int64 `json:"bytes,omitempty"`
	// Latency counts the interval's requests by latency for live metrics;
	// it is not written to samples.jsonl.
	Latency LatencyCounts `json:"-"`

	// Metrics scraped from the target's Prometheus endpoint, by series name
	// (e.g. "go_goroutines", "go_memstats_heap_inuse_bytes").
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// MemPressure is a reading of a cgroup's memory.pressure (PSI): how long
// its tasks waited on memory. Some: at least one task waited; full: every
// non-idle task at once (no progress at all). Totals are microseconds since
// the cgroup was made, so their difference between two samples over the
// time between them is the share of that interval spent stalled; Avg10 is
// the kernel's own share of the last 10 s, in percent.
type MemPressure struct {
	SomeAvg10 float64 `json:"some_avg10"`
	FullAvg10 float64 `json:"full_avg10"`
	SomeUs    int64   `json:"some_total_us"`
	FullUs    int64   `json:"full_total_us"`
}

// Latency summarises one latency distribution in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min_ms"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

// LabelStats is the latency of one request label.
type LabelStats struct {
	Label       string   `json:"label"`
	Requests    int64    `json:"requests"`
	Errors      int64    `json:"errors"`
	Corrected   *Latency `json:"corrected,omitempty"`   // from intended send time
	Uncorrected *Latency `json:"uncorrected,omitempty"` // from actual send time
	// Histogram is the hdrhistogram-go Encode() of the corrected histogram
	// (empty in percentile mode "off"), so reports can merge across cells.
	Histogram string `json:"histogram,omitempty"`
}

// SinkMode is Load.Mode of a client target's cell: the load is what
// soaklab's sink received, not what its driver sent.
const SinkMode = "sink"

// Load is what the driver measured over a cell, or, with Mode SinkMode,
// what a client target sent to soaklab's sink: Sent = Completed + Errors,
// TargetRPS the rate the matrix asked of the client (0 when it asks none),
// no latency.
type Load struct {
	Mode         string           `json:"mode"` // percentile mode, or SinkMode
	TargetRPS    float64          `json:"target_rps"`
	Tasks        int              `json:"tasks"`
	Duration     float64          `json:"duration_s"`
	Sent         int64            `json:"sent"`
	Completed    int64            `json:"completed"`
	Errors       int64            `json:"errors"`
	ErrorsByKind map[string]int64 `json:"errors_by_kind,omitempty"` // timeout, refused, reset, http-5xx, ...
	Late         int64            `json:"late"`                     // started after their intended time
	Dropped      int64            `json:"dropped"`                  // never started (run ended first)
	AchievedRPS  float64          `json:"achieved_rps"`
	Corrected    *Latency         `json:"corrected,omitempty"`
	Uncorrected  *Latency         `json:"uncorrected,omitempty"`
	Labels       []LabelStats     `json:"labels,omitempty"`
	Overflowed   int64            `json:"overflowed,omitempty"` // requests folded into the overflow label
	Warnings     []string         `json:"warnings,omitempty"`
	Bytes        int64            `json:"bytes,omitempty"` // request body bytes (SinkMode: received)
	// Burst and Pause, seconds, are set when requests arrived in bursts
	// with pauses between them (workload.burst, workload.pause): a
	// throughput window then spans whole cycles.
	Burst float64 `json:"burst_s,omitempty"`
	Pause float64 `json:"pause_s,omitempty"`
}

// GrowthSite is an allocation site whose in-use heap grew between two
// profiles.
type GrowthSite struct {
	Function string `json:"function"`
	File     string `json:"file,omitempty"`
	Line     int64  `json:"line,omitempty"`
	Before   int64  `json:"before_bytes"`
	After    int64  `json:"after_bytes"`
	Delta    int64  `json:"delta_bytes"`
}

// HeapAtEnd is HeapProfiles.Last for a profile taken at the end of the
// cell, its target still alive.
const HeapAtEnd = "end of cell"

// HeapProfiles says which two heap profiles a cell's growth sites are the
// difference of: the newest taken (at the end of the cell, or for a cell
// that ended before its end, OOM-killed or crashed, the newest taken before
// it did) less the baseline at the end of warm-up, or less the profile at
// the start when the cell ended by itself with no growth after its
// baseline or before it.
type HeapProfiles struct {
	FirstS    float64 `json:"first_s"`              // t of the first of the two, seconds since the target started
	First     string  `json:"first"`                // why it was taken: "end of warm-up", "target ready"
	FirstFile string  `json:"first_file,omitempty"` // its file in the cell's directory
	LastS     float64 `json:"last_s,omitempty"`     // t of the second; absent when no later one was taken
	// Last says why the second was taken: "end of cell", "every 15s",
	// "memory at 90 % of the limit".
	Last     string `json:"last,omitempty"`
	LastFile string `json:"last_file,omitempty"`
	Taken    int    `json:"taken"`            // profiles taken
	Failed   int    `json:"failed,omitempty"` // attempts that failed or timed out
}

// Cell is the result of one cell: how it was run, what was measured and,
// once reports have judged it, the verdict.
type Cell struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	Dir    string `json:"dir"` // directory under cells/, relative to the run
	Target string `json:"target"`
	Kind   string `json:"kind"` // server, client, workload
	// Axes holds every axis value of the cell in its canonical spelling.
	Axes   map[string]string `json:"axes"`
	Repeat int               `json:"repeat,omitempty"`

	RAMLimit    int64   `json:"ram_limit"`   // bytes
	Duration    float64 `json:"duration_s"`  // requested
	Warmup      float64 `json:"warmup_s"`    // seconds excluded from drift analysis
	Interval    float64 `json:"interval_s"`  // sampling interval
	Backend     string  `json:"backend"`     // process, docker
	Enforcement string  `json:"enforcement"` // cgroup-v1, cgroup-v2, docker, watchdog

	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`

	Outcome  Outcome `json:"outcome"`
	Detail   string  `json:"detail,omitempty"` // why it ended that way
	ExitCode int     `json:"exit_code,omitempty"`
	Signal   string  `json:"signal,omitempty"`
	OOMKills int64   `json:"oom_kills"`

	PeakRSS    int64 `json:"peak_rss"`
	PeakCgroup int64 `json:"peak_cgroup,omitempty"`
	Samples    int   `json:"samples"`

	Load        *Load        `json:"load,omitempty"`
	GrowthSites []GrowthSite `json:"growth_sites,omitempty"`
	Warnings    []string     `json:"warnings,omitempty"`
	// EarlyStop is set when the cell was stopped before its planned end
	// because a hard criterion's failure was certain, or, with
	// `early_stop: record`, when it would have been.
	EarlyStop *EarlyStop `json:"early_stop,omitempty"`

	// HeapProfiles says which two heap profiles GrowthSites compare; nil
	// when the target has no pprof or no profile was taken.
	HeapProfiles *HeapProfiles `json:"heap_profiles,omitempty"`

	// Filled by reports.
	Analysis *Analysis `json:"analysis,omitempty"`
	Verdict  Verdict   `json:"verdict,omitempty"`
	Reasons  []Reason  `json:"reasons,omitempty"`
}

// EarlyStop is the look at which a cell's NO-GO became certain.
type EarlyStop struct {
	AtS       float64 `json:"at_s"`      // t of the deciding look, seconds since the target started
	PlannedS  float64 `json:"planned_s"` // the cell's planned duration
	Criterion string  `json:"criterion"` // the hard criterion that failed: leak, oom-risk or errors
	Message   string  `json:"message"`   // the criterion's reason at that look
	// Recorded is true in record mode: the cell ran on to its end.
	Recorded bool `json:"recorded,omitempty"`
}

// Comparison is the judged result of one A/B pair or baseline match.
type Comparison struct {
	Name      string   `json:"name"`
	Baseline  string   `json:"baseline"`  // description of the A side
	Candidate string   `json:"candidate"` // description of the B side
	Verdict   Verdict  `json:"verdict"`
	Reasons   []Reason `json:"reasons"`
	// Rows are the compared measures with deltas, intervals and p-values.
	Rows []CompareRow `json:"rows,omitempty"`
}

// CompareRow is one measure compared between A and B.
type CompareRow struct {
	Measure  string  `json:"measure"`
	Unit     string  `json:"unit,omitempty"`
	A        float64 `json:"a"` // median of A
	B        float64 `json:"b"` // median of B
	NA       int     `json:"n_a"`
	NB       int     `json:"n_b"`
	DeltaPct float64 `json:"delta_pct"`
	P        float64 `json:"p"`
	Low      float64 `json:"ci_low_pct,omitempty"`
	High     float64 `json:"ci_high_pct,omitempty"`
	Detected bool    `json:"detected"` // false prints "~"
	// Label is a regression comparison's verdict on the row: "regressed",
	// "improved", "~" or "too few repeats" (empty for A/B scorecards).
	Label string `json:"label,omitempty"`
}

// Host records the environment a run was measured in.
type Host struct {
	Hostname  string `json:"hostname"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
	Kernel    string `json:"kernel,omitempty"`
	GoVersion string `json:"go_version"`
	Cgroup    string `json:"cgroup,omitempty"` // v1, v2, none
}

// Tool identifies the soaklab binary that wrote a run.
type Tool struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

// Counts tallies verdicts and outcomes.
type Counts struct {
	Cells   int `json:"cells"`
	GO      int `json:"go"`
	NEUTRAL int `json:"neutral"`
	NOGO    int `json:"no_go"`
	Pending int `json:"pending"` // not yet run or not judged
}

// Run is run.json: the manifest of a run.
type Run struct {
	Schema     int       `json:"schema"`
	ID         string    `json:"id"`
	Matrix     string    `json:"matrix"`          // path of the matrix file
	MatrixYAML string    `json:"matrix_yaml"`     // its text, so reports need nothing else
	Shard      string    `json:"shard,omitempty"` // "i/n" when sharded
	Backend    string    `json:"backend"`
	Host       Host      `json:"host"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished,omitempty"`
	Status     string    `json:"status"`             // running, finished, interrupted
	Baseline   string    `json:"baseline,omitempty"` // run directory compared against
	Soaklab    Tool      `json:"soaklab"`            // the soaklab that measured it

	Cells       []Cell       `json:"cells"`
	Comparisons []Comparison `json:"comparisons,omitempty"`
	Counts      Counts       `json:"counts"`
}
