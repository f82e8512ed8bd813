package view

import (
	"fmt"
	"math"

	"github.com/soaklab/soaklab/harness/results"
)

// Row is one named figure with its unit, as a person reads it.
type Row struct{ Name, Value string }

// Group is the figures one criterion read.
type Group struct {
	Title string
	Rows  []Row
}

// AnalysisGroups spells a cell's analysis as named, unit-bearing rows
// grouped by the criterion that reads them; the stored keys and raw values
// are AnalysisFields. Absent groups are left out; nil gives nil.
func AnalysisGroups(a *results.Analysis, limit int64) []Group {
	if a == nil {
		return nil
	}
	var out []Group
	add := func(title string, rows ...Row) {
		if len(rows) > 0 {
			out = append(out, Group{title, rows})
		}
	}
	w := a.Window
	add("Measured window",
		Row{"warm-up left out", Seconds(w.WarmupS)},
		Row{"samples measured", Num(float64(w.Samples))},
		Row{"measured from", Seconds(w.FromS) + " after the start"})
	var leak []Row
	if f := a.Fit; f != nil {
		leak = append(leak,
			Row{"memory slope (" + f.Series + ")", fmt.Sprintf("%s MiB/h (95%% CI %s … %s)", signed(f.SlopeMiBPerH), signed(f.SlopeLowMiBPerH), signed(f.SlopeHighMiBPerH))},
			Row{"fit quality (r²)", fmt.Sprintf("%.2f", f.R2)},
			Row{"fitted start", Bytes(int64(f.InterceptBytes))})
	}
	if d := a.Drift; d != nil {
		leak = append(leak, Row{"last quarter vs first", signed(d.Pct) + " %"})
	}
	if tr := a.Troughs; tr != nil {
		leak = append(leak, Row{"slope of the troughs", signed(tr.SlopeMiBPerH) + " MiB/h"})
	}
	if s := a.Steps; s != nil {
		leak = append(leak, Row{"upward steps", Num(float64(s.Count))})
	}
	add("Leak", leak...)
	if r := a.OOMRisk; r != nil {
		add("OOM risk", Row{"limit reached at the fitted slope in", TimeToLimit(r.TimeToLimitS)})
	}
	if p := a.Peak; p != nil {
		rows := []Row{{"peak (" + p.Series + ")", Bytes(int64(p.Bytes))}}
		if p.Ratio != nil {
			rows = append(rows, Row{"of the limit", fmt.Sprintf("%.0f %% of %s", 100**p.Ratio, Bytes(limit))})
		}
		if p.Episodes != nil {
			rows = append(rows, Row{"times at the limit", Num(float64(*p.Episodes))})
		}
		add("Peak", rows...)
	}
	if t := a.Thrash; t != nil {
		rows := []Row{{"longest stretch", Seconds(t.LongestS)}, {"highest page-in rate", Num(t.MaxFaultsPerS) + " pages/s"}}
		if t.FromS != nil {
			rows = append(rows, Row{"from", Seconds(*t.FromS) + " after the start"})
		}
		if t.UsageRatio != nil {
			rows = append(rows, Row{"usage of the limit", fmt.Sprintf("%.0f %%", 100**t.UsageRatio)})
		}
		add("Thrashing", rows...)
	}
	if l := a.Load; l != nil {
		var rows []Row
		if l.AchievedPerS != nil {
			v := Num(*l.AchievedPerS) + " requests/s"
			switch l.RateSource {
			case "sink":
				v += " (sent by the client to soaklab's sink)"
			case "counter":
				v = Num(*l.AchievedPerS) + " ops/s (the target's counter)"
			}
			if l.RequestedPerS != nil {
				v += " of " + Num(*l.RequestedPerS) + " asked"
			}
			rows = append(rows, Row{"achieved rate", v})
		}
		if l.AchievedRatio != nil {
			rows = append(rows, Row{"achieved of the requested rate", fmt.Sprintf("%.1f %%", 100**l.AchievedRatio)})
		}
		if l.ErrorRate != nil {
			rows = append(rows, Row{"errors", fmt.Sprintf("%.3g %% of requests", 100**l.ErrorRate)})
		}
		if l.P99Ms != nil {
			rows = append(rows, Row{"p99 latency (corrected)", Num(*l.P99Ms) + " ms"})
		}
		if l.CVPct != nil {
			rows = append(rows, Row{"throughput variation (CV)", Num(*l.CVPct) + " %"})
		}
		if l.ThroughputOpsPerS != nil {
			rows = append(rows, Row{"throughput", Num(*l.ThroughputOpsPerS) + " ops/s"})
		}
		add("Load", rows...)
	}
	if g := a.Goroutines; g != nil {
		add("Goroutines", Row{"first → last", Num(g.First) + " → " + Num(g.Last)}, Row{"growth", signed(g.SlopePerH) + " /h"})
	}
	if d := a.Driver; d != nil {
		rows := []Row{{"slope (" + d.Series + ")", fmt.Sprintf("%s MiB/h (95%% CI %s … %s)", signed(d.SlopeMiBPerH), signed(d.SlopeLowMiBPerH), signed(d.SlopeHighMiBPerH))}}
		if d.RSSSlopeMiBPerH != nil {
			rows = append(rows, Row{"whole RSS slope", signed(*d.RSSSlopeMiBPerH) + " MiB/h"})
		}
		if d.HeapSlopeMiBPerH != nil {
			rows = append(rows, Row{"Go heap slope", signed(*d.HeapSlopeMiBPerH) + " MiB/h"})
		}
		add("soaklab's own memory", rows...)
	}
	return out
}

// TimeToLimit spells how long until a limit is reached: "never" when
// memory does not grow, days past two days ("31 days"), else a duration.
func TimeToLimit(s float64) string {
	switch {
	case s <= 0 || math.IsInf(s, 0) || math.IsNaN(s):
		return "never (not growing)"
	case s >= 2*86400:
		return Num(math.Round(s/86400)) + " days"
	}
	return Seconds(s)
}

func signed(v float64) string {
	if v > 0 {
		return "+" + Num(v)
	}
	return Num(v)
}
