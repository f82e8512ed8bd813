// Package view holds what every soaklab report format says the same way: the
// main reason of a verdict, a cell's peak against its limit, the anchor of a
// cell's section and how numbers and sizes are spelled. The HTML report, the
// JUnit file and the Markdown summary all use it, so they never disagree.
package view

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Pending is the label of a cell not judged yet.
const Pending = "PENDING"

// VerdictLabel is the text shown for a verdict: "GO", "NEUTRAL", "NO-GO", or
// "PENDING" for a cell the judge has not decided.
func VerdictLabel(v results.Verdict) string {
	if v == "" {
		return Pending
	}
	return string(v)
}

// VerdictClass is a CSS class name for a verdict: go, neutral, nogo, pending.
func VerdictClass(v results.Verdict) string {
	switch v {
	case results.GO:
		return "go"
	case results.NEUTRAL:
		return "neutral"
	case results.NOGO:
		return "nogo"
	}
	return "pending"
}

// MainReason picks the reason that best explains a verdict: the first failed
// hard criterion, else the first failure, else the first unknown, else the
// first reason. It returns nil when there are no reasons.
func MainReason(reasons []results.Reason) *results.Reason {
	pick := func(ok func(r results.Reason) bool) *results.Reason {
		for i := range reasons {
			if ok(reasons[i]) {
				return &reasons[i]
			}
		}
		return nil
	}
	for _, f := range []func(r results.Reason) bool{
		func(r results.Reason) bool { return r.Status == results.Fail && r.Hard },
		func(r results.Reason) bool { return r.Status == results.Fail },
		func(r results.Reason) bool { return r.Status == results.Unknown },
		func(results.Reason) bool { return true },
	} {
		if r := pick(f); r != nil {
			return r
		}
	}
	return nil
}

// MainReasonText is MainReason as one line: "criterion: message", or "" when
// there is no reason.
func MainReasonText(reasons []results.Reason) string {
	r := MainReason(reasons)
	if r == nil {
		return ""
	}
	return ReasonText(*r)
}

// ReasonText spells one reason as "criterion: message".
func ReasonText(r results.Reason) string {
	if r.Message == "" {
		return results.Printable(fmt.Sprintf("%s: %s", r.Criterion, r.Status))
	}
	return results.Printable(r.Criterion + ": " + r.Message) // may quote a target's words
}

// UnmetReasons returns the reasons that did not pass (FAIL or UNKNOWN), in order.
func UnmetReasons(reasons []results.Reason) []results.Reason {
	var out []results.Reason
	for _, r := range reasons {
		if r.Status != results.Pass {
			out = append(out, r)
		}
	}
	return out
}

// Peak is the peak memory the judge held against the limit: the analysis's
// peak when present, else the larger of the cgroup peak and the RSS
// peak; for an oom-killed cell the largest of them all.
func Peak(c *results.Cell) int64 {
	if c.Outcome == results.OOMKilled {
		// Killed between two samples: the cgroup's own peak, read as the
		// target died, is the only reading that saw the limit reached.
		return max(c.PeakCgroup, c.PeakRSS, analysedPeak(c))
	}
	if v := analysedPeak(c); v > 0 {
		return v
	}
	return max(c.PeakCgroup, c.PeakRSS)
}

// analysedPeak is the peak of the cell's analysis; 0 when not measured.
func analysedPeak(c *results.Cell) int64 {
	if c.Analysis == nil || c.Analysis.Peak == nil {
		return 0
	}
	return int64(c.Analysis.Peak.Bytes)
}

// PeakText spells a cell's peak against its limit: "412 MiB / 512 MiB (80%)".
func PeakText(c *results.Cell) string {
	p := Peak(c)
	if c.RAMLimit <= 0 {
		return Bytes(p)
	}
	return fmt.Sprintf("%s / %s (%.0f%%)", Bytes(p), Bytes(c.RAMLimit), 100*float64(p)/float64(c.RAMLimit))
}

// Anchor is the HTML id of a cell's section: "cell-" and the cell's directory
// name, which is readable and safe in a URL fragment.
func Anchor(id string) string { return "cell-" + results.CellDir(id) }

// Bytes spells a size in binary units: "512 MiB", "1.5 GiB", "830 KiB".
func Bytes(b int64) string {
	const unit = 1024
	neg := b < 0
	if neg {
		b = -b
	}
	s := ""
	switch {
	case b < unit:
		s = fmt.Sprintf("%d B", b)
	default:
		v, exp := float64(b), 0
		for v >= unit && exp < 5 {
			v /= unit
			exp++
		}
		s = trimFloat(v, 3) + " " + []string{"", "KiB", "MiB", "GiB", "TiB", "PiB"}[exp]
	}
	if neg {
		return "-" + s
	}
	return s
}

// Num spells a float with at most 3 significant decimals, no trailing zeros,
// and thousands separators for large values: "5,000", "0.031", "12.5".
func Num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if math.Abs(v) >= 1000 {
		s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		return groupThousands(s)
	}
	return trimFloat(v, 3)
}

func trimFloat(v float64, sig int) string {
	if v == 0 {
		return "0"
	}
	digits := sig - int(math.Floor(math.Log10(math.Abs(v)))) - 1
	digits = max(0, min(digits, 6))
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Seconds spells a duration given in seconds: "45s", "5m", "1h30m", "24h".
func Seconds(s float64) string {
	if s <= 0 {
		return "0s"
	}
	d := int64(math.Round(s))
	h, m, sec := d/3600, d%3600/60, d%60
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	return b.String()
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
