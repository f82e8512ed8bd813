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
}

// thrash finds the longest run of consecutive sample intervals that each
// end with usage at or above the threshold share of the limit and read
// pages back at ThrashFaultsPerS or more. Warm-up samples count: a target
// thrashing while it warms up is thrashing. A counter that goes down (a
// restarted container) breaks the run.
func thrash(samples []results.Sample, p Params) Thrash {
	var th Thrash
	if p.Limit <= 0 {
		return th
	}
	faults := false
	for _, s := range samples {
		faults = faults || s.MajorFaults > 0
	}
	if !faults {
		return th
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
	return th
}
