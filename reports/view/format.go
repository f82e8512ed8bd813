package view

import (
	"fmt"
	"math"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Delta spells a comparison row's change and interval the way benchstat
// does: "+12.5%" with "[+8.1%, +16.9%]", or "~" and the interval when no
// change was detected, or "too few repeats" when a regression row had too
// few repeats a side to decide.
func Delta(r results.CompareRow) (delta, interval string) {
	if r.Low != 0 || r.High != 0 {
		interval = fmt.Sprintf("[%+.1f%%, %+.1f%%]", r.Low, r.High)
	}
	if r.Label == "too few repeats" {
		return r.Label, interval
	}
	if !r.Detected {
		return "~", interval
	}
	if r.A == 0 && r.B != 0 {
		return "from 0", interval // no percentage of nothing
	}
	return fmt.Sprintf("%+.1f%%", r.DeltaPct), interval
}

// ReasonValue spells a reason's value against its limit: "412 MiB ≤ 512 MiB"
// style numbers with the unit, or "" when the reason has neither.
func ReasonValue(r results.Reason) string {
	if r.Value == 0 && r.Limit == 0 {
		return ""
	}
	f := func(v float64) string {
		if r.Unit == "bytes" || r.Unit == "B" {
			return Bytes(int64(v))
		}
		if r.Unit == "s" {
			return duration(v)
		}
		if r.Unit == "" {
			return Num(v)
		}
		return Num(v) + " " + r.Unit
	}
	if r.Criterion == "oom-risk" && r.Value <= 0 {
		// No time to the limit: memory does not grow toward it.
		return "never (horizon " + f(r.Limit) + ")"
	}
	if r.Limit == 0 {
		return f(r.Value)
	}
	return f(r.Value) + " (limit " + f(r.Limit) + ")"
}

// GateFigures spells a scorecard gate's measured value and its threshold
// apart, with the unit ("" for one the gate does not have), for the
// scorecard tables of the report and the summary.
func GateFigures(r results.Reason) (value, limit string) {
	f := func(v float64) string {
		switch r.Unit {
		case "bytes", "B":
			return Bytes(int64(v))
		case "":
			return Num(v)
		case "%":
			return fmt.Sprintf("%+.1f %%", v)
		}
		return Num(v) + " " + r.Unit
	}
	if r.Status == results.Unknown && r.Value == 0 {
		value = "—" // the reason says why: not measured, too few repeats
	} else {
		value = f(r.Value)
	}
	if r.Limit != 0 || r.Unit != "" {
		limit = f(r.Limit)
		if r.Unit == "%" {
			limit = Num(r.Limit) + " %"
		}
	}
	return value, limit
}

// AnalysisValue spells one Analysis value by its key's unit suffix: the
// field name after the last dot ("peak.bytes", "fit.slope_mib_per_h").
func AnalysisValue(key string, v float64) string {
	key = "_" + key[strings.LastIndex(key, ".")+1:]
	switch {
	case strings.HasSuffix(key, "_bytes"):
		return Bytes(int64(v))
	case strings.HasSuffix(key, "_bytes_per_s"):
		return Bytes(int64(v)) + "/s"
	case strings.HasSuffix(key, "_s_per_op"):
		return Num(v*1e6) + " µs/op"
	case strings.HasSuffix(key, "_per_op"):
		return Num(v) + "/op"
	case strings.HasSuffix(key, "_per_s"):
		return Num(v) + "/s"
	case strings.HasSuffix(key, "_s"):
		return Seconds(v)
	case strings.HasSuffix(key, "_pct"):
		return Num(v) + " %"
	case strings.HasSuffix(key, "_mib_per_h"):
		return Num(v) + " MiB/h"
	case strings.HasSuffix(key, "_ms"):
		return Num(v) + " ms"
	}
	return Num(v)
}

// duration spells seconds for a reader: "0.95 s" under ten seconds, "1h30m"
// up to two days, "31 days" beyond.
func duration(s float64) string {
	switch {
	case s < 10:
		return Num(s) + " s"
	case s >= 2*86400:
		return Num(math.Round(s/86400)) + " days"
	}
	return Seconds(s)
}
