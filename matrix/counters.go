package matrix

// Counters soaklab keeps itself for every cell, by the name a scorecard
// ratio (`ratios:` of a compare block's scorecard) gives them. Any other
// name in a ratio is a series the target's scrape records (a family of
// metrics_keep, or its throughput counter).
const (
	// CounterOps is the cell's operations: the requests soaklab's driver
	// completed (server targets) or its sink counted (client targets),
	// else the increase of the target's throughput counter (workload
	// targets).
	CounterOps = "ops"
	// CounterRequests is the requests completed (driver or sink).
	CounterRequests = "requests"
	// CounterErrors is the requests that failed.
	CounterErrors = "errors"
	// CounterCPUSeconds is the CPU time, user and system, of the
	// target's cgroup.
	CounterCPUSeconds = "cpu_seconds"
	// CounterCtxSwitches is the context switches of the target's threads,
	// voluntary and involuntary; CounterCtxVoluntary and
	// CounterCtxNonvoluntary each kind alone.
	CounterCtxSwitches     = "ctx_switches"
	CounterCtxVoluntary    = "ctx_voluntary"
	CounterCtxNonvoluntary = "ctx_nonvoluntary"
	// CounterSeconds is the length of the judged window: a ratio over it
	// is a rate per second.
	CounterSeconds = "seconds"
)

// BuiltinCounters lists the counters soaklab keeps itself, each with what
// it counts (docs/matrix.md).
var BuiltinCounters = []struct{ Name, Meaning string }{
	{CounterOps, "operations: requests completed by soaklab's driver (server) or counted by its sink (client), else the increase of the target's `throughput:` counter (workload)"},
	{CounterRequests, "requests completed by soaklab's driver or counted by its sink"},
	{CounterErrors, "requests that failed"},
	{CounterCPUSeconds, "CPU time of the target's cgroup, user and system, in seconds (cgroup v1 cpuacct, v2 cpu.stat)"},
	{CounterCtxSwitches, "context switches of the target's threads (procfs), voluntary and involuntary"},
	{CounterCtxVoluntary, "voluntary context switches (waits: I/O, locks, sleeps)"},
	{CounterCtxNonvoluntary, "involuntary context switches (preemptions)"},
	{CounterSeconds, "seconds of the judged window (a ratio over it is a rate)"},
}

// IsBuiltinCounter reports whether name is one of BuiltinCounters.
func IsBuiltinCounter(name string) bool {
	for _, c := range BuiltinCounters {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Ratio is a row of a scorecard on the ratio of two counters, each the
// increase over a cell's judged window (after warm-up): a built-in
// counter (BuiltinCounters) or a series of the target's scrape. Each
// repeat gives one ratio; the candidate's are held against the baseline's
// (MaxRisePct) and against a budget (Max).
type Ratio struct {
	Name     string // the row's name, e.g. "frees/op"
	Num, Den string // counter names
	// MaxRisePct fails the row when the candidate's ratio is
	// significantly higher than the baseline's by more than this percent.
	MaxRisePct float64
	// Max fails the row when the candidate's median ratio exceeds it.
	Max float64
	// Hard makes a FAIL of the row NO-GO; a soft one makes the comparison
	// NEUTRAL.
	Hard bool
	// Set holds the threshold keys the matrix gave (KeyMaxRisePct,
	// KeyMax): a row has at least one.
	Set map[string]bool
}

// Keys of a scorecard ratio row.
const (
	KeyRatioName  = "name"
	KeyRatio      = "ratio"
	KeyMaxRisePct = "max_rise_pct"
	KeyMax        = "max"
	KeyHard       = "hard"
)

// IsSet reports whether the matrix gave the threshold key.
func (r Ratio) IsSet(key string) bool { return r.Set[key] }
