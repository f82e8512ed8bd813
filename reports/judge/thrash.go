package judge

import (
	"fmt"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// thrash is the hard criterion of a cgroup thrashing at its limit: usage at
// the threshold share of the limit while reading its own pages back from
// disk (analysis.ThrashFaultsPerS or more) for longer than j.MaxThrash. The
// kernel does not kill such a target, so without it a cell that crawled
// for minutes reads as "completed" with a missed rate. It is left out
// when there is nothing to judge: no major faults sampled, no limit, or
// usage never at the threshold.
func thrash(c *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	th := r.Thrash
	if !th.Sampled {
		return results.Reason{}, false
	}
	allowed := j.MaxThrash.Seconds()
	rs := results.Reason{Criterion: "thrash", Hard: true, Value: th.Seconds, Limit: allowed, Unit: "s", Status: results.Pass}
	budget := fmt.Sprintf("%s s allowed", thr(allowed))
	if allowed <= 0 {
		budget = "none allowed"
	}
	at := fmt.Sprintf("at ≥ %.0f %% of the %s limit", 100*analysis.DefaultThresholdRatio, mib(float64(c.RAMLimit)))
	switch {
	case th.Seconds > allowed:
		rs.Status = results.Fail
		end := ", not OOM-killed"
		if c.Outcome == results.OOMKilled {
			end = ", until the OOM kill"
		}
		rs.Message = fmt.Sprintf("thrashing at the memory limit for %s from %.0f s (%s): %.0f major page faults/s with usage at %.0f %% of the %s limit; reclaim evicts the target's own code and file pages and it reads them back from disk, barely running%s",
			hours(th.Seconds), th.From, budget, th.Rate, 100*th.Usage, mib(float64(c.RAMLimit)), end)
	case th.Seconds > 0:
		rs.Message = fmt.Sprintf("thrashed %s (%s): %.0f major page faults/s %s", hours(th.Seconds), budget, th.Rate, at)
	default:
		rs.Message = fmt.Sprintf("no thrashing: at most %.0f major page faults/s %s (thrashing from %.0f/s)", th.MaxRate, at, analysis.ThrashFaultsPerS)
	}
	return rs, true
}
