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
//
// On cgroup v2 with pressure stall information the stretch is measured
// from the cgroup's memory.pressure instead (analysis.BasisStall): every
// task of the cgroup waiting on memory for analysis.ThrashStallShare of
// each interval or more, the kernel's own account of the same failure.
// The budget is the same j.MaxThrash.
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
	if th.Basis == analysis.BasisStall {
		stallMessage(&rs, c, th, budget)
		return rs, true
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

// stallMessage decides and words the criterion from memory pressure.
func stallMessage(rs *results.Reason, c *results.Cell, th analysis.Thrash, budget string) {
	usage := ""
	if th.Usage > 0 && c.RAMLimit > 0 {
		usage = fmt.Sprintf(", usage at %.0f %% of the %s limit", 100*th.Usage, mib(float64(c.RAMLimit)))
	}
	total := fmt.Sprintf("%.1f s stalled in all", th.Stalled)
	switch {
	case th.Seconds > rs.Limit:
		rs.Status = results.Fail
		end := ", not OOM-killed"
		if c.Outcome == results.OOMKilled {
			end = ", until the OOM kill"
		}
		rs.Message = fmt.Sprintf("thrashing: stalled on memory for %s from %.0f s (%s): every task of the cgroup waited on memory %.0f %% of that time (PSI full)%s; %s; reclaim and refaults instead of work, barely running%s",
			hours(th.Seconds), th.From, budget, 100*th.Stall, usage, total, end)
	case th.Seconds > 0:
		rs.Message = fmt.Sprintf("stalled on memory %s (%s): every task waited %.0f %% of that time (PSI full)%s; %s",
			hours(th.Seconds), budget, 100*th.Stall, usage, total)
	default:
		rs.Message = fmt.Sprintf("no thrashing: every task of the cgroup waited on memory at most %.1f %% of an interval (PSI full; thrashing from %.0f %%); %s",
			100*th.MaxStall, 100*analysis.ThrashStallShare, total)
	}
}
