package analysis

import "github.com/soaklab/soaklab/harness/results"

// ThrashFaultsPerS is the rate of the cgroup's major page faults that,
// with its usage at or above the threshold share of the limit, counts as
// thrashing. A cgroup with no swap at its limit is OOM-killed only when
// reclaim frees nothing; while its own executable and file pages are
// charged to it, reclaim evicts them, the target reads them back from disk
// and it runs at a crawl instead of dying. A hog thrashing that way read
// 200–250 pages a second at 99 % of its limit and served 12 % of the
// requested rate; a healthy target reads none once started.
const ThrashFaultsPerS = 50.0

// ThrashStallShare is, on cgroup v2 with pressure stall information, the
// share of a sample interval in which every task of the cgroup waited on
// memory at once (memory.pressure's "full" total) that counts as
// thrashing. That is the kernel's own measure of what the major-fault rule
// infers: reclaim and refaults of evicted pages instead of work. Measured
// in the cgroup v2 test VM (make test-cgroup2, 1-s intervals): steady and
// leaky servers 0.00 % in every interval; a hog OOM-killed at its limit
// 0.02–0.19 % at most; a hog held just under its limit with its code on
// disk, thrashing, 52–82 % on average over 20–24 s in five runs, and
// 18–22 % for the 2 s before the kill when it grew through the limit.
const ThrashStallShare = 0.10

// Thrash bases: what a Thrash was measured from.
const (
	BasisFaults = "major-faults" // v1, or v2 without PSI: pgmajfault at the limit
	BasisStall  = "memory-stall" // v2 with PSI: memory.pressure's full stall time
)

// Thrash is the longest stretch of thrashing in a cell.
type Thrash struct {
	// Sampled says the samples carry major faults and usage against a
	// limit, and usage reached the threshold at least once: only then is
	// there something to judge.
	Sampled bool
	Seconds float64 // length of the longest stretch; 0 when none
	From    float64 // its start, seconds since the target started
	Rate    float64 // its mean major faults per second
	Usage   float64 // its highest usage / limit
	// MaxRate is the highest major-fault rate of any interval that ended
	// at or above the threshold, thrashing or not.
	MaxRate float64

	// Basis is BasisStall when the samples carry memory pressure (the
	// fields below are then set and Rate/MaxRate are not), BasisFaults
	// otherwise.
	Basis string
	// Stall is the longest stretch's mean full-stall share (0–1), MaxStall
	// the highest share of any interval, Stalled the cell's total full
	// stall time in seconds.
	Stall, MaxStall, Stalled float64
}

// thrash finds the longest run of consecutive sample intervals that each
// end with usage at or above the threshold share of the limit and read
// pages back at ThrashFaultsPerS or more. Warm-up samples count: a target
// thrashing while it warms up is thrashing. A counter that goes down (a
// restarted container) breaks the run.
//
// Samples that carry memory pressure (cgroup v2 with PSI) are judged by
// stallThrash instead.
func thrash(samples []results.Sample, p Params) Thrash {
	for _, s := range samples {
		if s.Pressure != nil {
			return stallThrash(samples, p)
		}
	}
	th := Thrash{Basis: BasisFaults}
	if p.Limit <= 0 {
		return Thrash{}
	}
	faults := false
	for _, s := range samples {
		faults = faults || s.MajorFaults > 0
	}
	if !faults {
		return Thrash{}
	}
	limit := float64(p.Limit)
	at := p.ThresholdRatio * limit
	var (
		start, peak float64
		sum         float64 // faults in the current run
		in          bool
	)
	for i := 1; i < len(samples); i++ {
		a, b := samples[i-1], samples[i]
		if float64(b.Usage) < at || b.Usage <= 0 {
			in = false
			continue
		}
		th.Sampled = true
		dt, df := b.T-a.T, b.MajorFaults-a.MajorFaults
		if dt <= 0 || df < 0 {
			in = false
			continue
		}
		rate := float64(df) / dt
		th.MaxRate = max(th.MaxRate, rate)
		if rate < ThrashFaultsPerS {
			in = false
			continue
		}
		if !in {
			in, start, peak, sum = true, a.T, 0, 0
		}
		sum += float64(df)
		peak = max(peak, float64(b.Usage)/limit)
		if d := b.T - start; d > th.Seconds {
			th.Seconds, th.From, th.Rate, th.Usage = d, start, sum/d, peak
		}
	}
	if !th.Sampled {
		return Thrash{}
	}
	return th
}

// stallThrash finds the longest run of consecutive sample intervals in
// each of which every task of the cgroup was stalled on memory for at
// least ThrashStallShare of the interval (the difference of memory.pressure's
// full totals). Unlike the major-fault rule it needs no usage at the limit:
// a cgroup stalled on memory is not doing its work, whatever the cause;
// Usage still records the highest usage / limit of the stretch. Intervals
// where either sample lacks a reading, or the total goes down (a new
// cgroup), break a run.
func stallThrash(samples []results.Sample, p Params) Thrash {
	th := Thrash{Basis: BasisStall}
	var (
		start, peak float64
		sum         float64 // stalled seconds in the current run
		in          bool
	)
	for i := 1; i < len(samples); i++ {
		a, b := samples[i-1], samples[i]
		if a.Pressure == nil || b.Pressure == nil {
			in = false
			continue
		}
		th.Sampled = true
		dt, df := b.T-a.T, float64(b.Pressure.FullUs-a.Pressure.FullUs)/1e6
		if dt <= 0 || df < 0 {
			in = false
			continue
		}
		th.Stalled += df
		share := df / dt
		th.MaxStall = max(th.MaxStall, share)
		if share < ThrashStallShare {
			in = false
			continue
		}
		if !in {
			in, start, peak, sum = true, a.T, 0, 0
		}
		sum += df
		if p.Limit > 0 {
			peak = max(peak, float64(b.Usage)/float64(p.Limit))
		}
		if d := b.T - start; d > th.Seconds {
			th.Seconds, th.From, th.Stall, th.Usage = d, start, sum/d, peak
		}
	}
	if !th.Sampled {
		return Thrash{}
	}
	return th
}
