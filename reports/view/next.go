package view

import (
	"fmt"

	"github.com/soaklab/soaklab/harness/results"
)

// NextStep is one line saying what to look at first for a NO-GO cell, from
// the criterion that decided it and what was measured: the growing
// allocation site, the time to OOM, the limit to try. "" for other verdicts.
func NextStep(c *results.Cell) string {
	if c.Verdict != results.NOGO {
		return ""
	}
	r := MainReason(c.Reasons)
	if r == nil {
		return "Read the reasons below."
	}
	a := c.Analysis
	site := ""
	if len(c.GrowthSites) > 0 {
		g := c.GrowthSites[0]
		site = fmt.Sprintf("%s (+%s)", g.Function, Bytes(g.Delta))
	}
	criterion := r.Criterion
	if e := c.EarlyStop; criterion == "early-stop" && e != nil {
		criterion = e.Criterion // the advice of what stopped it
	}
	switch criterion {
	case "oom", "outcome", "peak", "rss":
		if c.Outcome == results.OOMKilled && site != "" {
			diff := ""
			if h := c.HeapProfiles; h != nil && h.FirstFile != "" && h.LastFile != "" {
				diff = fmt.Sprintf(" (go tool pprof -diff_base %s %s in the cell's directory)", h.FirstFile, h.LastFile)
			}
			return fmt.Sprintf("Peak %s against a %s limit, and the heap grew most at %s: start with that allocation site%s, or raise the limit if the growth is expected.",
				Bytes(Peak(c)), Bytes(c.RAMLimit), site, diff)
		}
		if c.Outcome == results.OOMKilled || r.Criterion != "outcome" {
			return fmt.Sprintf("Peak %s against a %s limit: raise the limit above the peak or lower the load (tasks, RPS), then rerun; the memory chart shows when it climbed.",
				Bytes(Peak(c)), Bytes(c.RAMLimit))
		}
	case "leak", "slope", "drift", "troughs", "steps", "oom-risk":
		when := ""
		if a != nil && a.OOMRisk != nil && a.OOMRisk.TimeToLimitS > 0 {
			when = "; at this rate the limit is reached in " + TimeToLimit(a.OOMRisk.TimeToLimitS)
		}
		if site != "" {
			return "Memory keeps growing" + when + ": start with the top growing allocation site, " + site + "."
		}
		return "Memory keeps growing" + when + ": compare heap profiles from the start and the end of a run (go tool pprof -diff_base) to find the growing allocation site."
	case "goroutines":
		return "Goroutines keep growing: take a goroutine profile (/debug/pprof/goroutine?debug=1) and look for the stack that accumulates."
	case "thrash":
		return "The target reads its own pages back at the limit: give it more memory or shrink its working set."
	case "driver":
		return "soaklab's own memory grew, not the target's: rerun; if it holds, report it with this cell's samples."
	case "errors", "rate", "throughput", "p99", "cv":
		if c.Kind == "client" {
			return "The client did not send the load asked of it: the throughput chart shows what soaklab's sink received and when; its errors (malformed or cut-short requests) are under Load, and the client's own output is in its log."
		}
		return "The load was not served as asked: check the latency and throughput charts for when it started and the errors by kind under Load."
	}
	return "Read " + r.Criterion + " below: " + r.Message
}
