package judge

import (
	"fmt"
	"math"
	"strconv"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// The criteria of the load and of the peak: achieved rate and errors
// (hard), peak near the limit, throughput CV and p99 (soft). A criterion
// whose number could not be computed is left out.

// achievedRate is the hard criterion of the rate the load achieved: what
// soaklab's driver delivered to a server target, or what a client target
// sent to soaklab's sink against the rate its cell asked of it. A client
// asked no rate gets a PASS that states its rate.
func achievedRate(c *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	client := c.Kind == matrix.KindClient
	if math.IsNaN(r.AchievedRatio) {
		if !client || math.IsNaN(r.AchievedRPS) {
			return results.Reason{}, false
		}
		return results.Reason{Criterion: "rate", Status: results.Pass, Value: r.AchievedRPS, Unit: "requests/s",
			Message: fmt.Sprintf("the client sent %s requests/s to soaklab's sink (no rate asked of it: pass {{.rps}} in its env or command to have it judged)", rate(r.AchievedRPS))}, true
	}
	x := results.Reason{Criterion: "rate", Hard: true, Value: r.AchievedRatio, Limit: j.MinRateRatio, Status: results.Pass}
	cmp := "≥"
	if r.AchievedRatio < j.MinRateRatio {
		x.Status, cmp = results.Fail, "<"
	}
	if client {
		x.Message = fmt.Sprintf("the client sent %s requests/s to soaklab's sink, %.1f %% of the %s/s asked of it (%s %s %%)",
			rate(r.AchievedRPS), 100*r.AchievedRatio, rate(r.RequestedRate), cmp, thr(100*j.MinRateRatio))
		if x.Status == results.Fail {
			x.Message = fmt.Sprintf("the client fell behind: it sent %s requests/s to soaklab's sink, %.1f %% of the %s/s asked of it (%s %s %%)",
				rate(r.AchievedRPS), 100*r.AchievedRatio, rate(r.RequestedRate), cmp, thr(100*j.MinRateRatio))
		}
		if j.MinRateRatio <= 0 {
			x.Message = fmt.Sprintf("the client sent %s requests/s to soaklab's sink, %.1f %% of the %s/s asked of it (no minimum required)",
				rate(r.AchievedRPS), 100*r.AchievedRatio, rate(r.RequestedRate))
		}
		return x, true
	}
	x.Message = fmt.Sprintf("achieved %.1f %% of the requested rate (%s %s %%)", 100*r.AchievedRatio, cmp, thr(100*j.MinRateRatio))
	if j.MinRateRatio <= 0 {
		x.Message = fmt.Sprintf("achieved %.1f %% of the requested rate (no minimum required)", 100*r.AchievedRatio)
	}
	return x, true
}

// rate formats a rate per second: whole above 100, else 3 significant
// digits.
func rate(v float64) string {
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// errorRate is the hard criterion of failed requests.
func errorRate(_ *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if math.IsNaN(r.ErrorRate) {
		return results.Reason{}, false
	}
	x := results.Reason{Criterion: "errors", Hard: true, Value: r.ErrorRate, Limit: j.MaxErrorRate, Status: results.Pass}
	cmp := "≤"
	if r.ErrorRate > j.MaxErrorRate {
		x.Status, cmp = results.Fail, ">"
	}
	x.Message = fmt.Sprintf("error rate %s %% %s %s %% budget", share(r.ErrorRate), cmp, share(j.MaxErrorRate))
	if j.MaxErrorRate <= 0 {
		x.Message += " (no failed request allowed)"
	}
	return x, true
}

// peakShare is the soft criterion of the peak near the limit.
func peakShare(_ *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if math.IsNaN(r.PeakRatio) {
		return results.Reason{}, false
	}
	x := results.Reason{Criterion: "peak", Value: r.PeakRatio, Limit: j.PeakWarnRatio, Status: results.Pass}
	cmp := "≤"
	if r.PeakRatio > j.PeakWarnRatio {
		x.Status, cmp = results.Fail, ">"
	}
	x.Message = fmt.Sprintf("peak %s %s = %.0f %% of the limit (%s %s %%)", peakSeries(r), mib(r.Peak), 100*r.PeakRatio, cmp, thr(100*j.PeakWarnRatio))
	if r.Episodes > 0 {
		x.Message += fmt.Sprintf("; %d episodes above %.0f %% of the limit", r.Episodes, 100*analysis.DefaultThresholdRatio)
	}
	return x, true
}

// throughputCV is the soft criterion of a steady throughput.
func throughputCV(_ *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if math.IsNaN(r.CVPct) {
		return results.Reason{}, false
	}
	x := results.Reason{Criterion: "cv", Value: r.CVPct, Limit: j.MaxCV, Unit: "%", Status: results.Pass}
	cmp := "≤"
	if r.CVPct > j.MaxCV {
		x.Status, cmp = results.Fail, ">"
	}
	x.Message = fmt.Sprintf("throughput CV across windows %.1f %% %s %s %%", r.CVPct, cmp, thr(j.MaxCV))
	return x, true
}

// p99Budget is the soft criterion of the latency budget, when the matrix
// sets one.
func p99Budget(_ *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	budget := float64(j.MaxP99.Milliseconds())
	if budget <= 0 || math.IsNaN(r.P99) {
		return results.Reason{}, false
	}
	x := results.Reason{Criterion: "p99", Value: r.P99, Limit: budget, Unit: "ms", Status: results.Pass}
	cmp := "≤"
	if r.P99 > budget {
		x.Status, cmp = results.Fail, ">"
	}
	x.Message = fmt.Sprintf("p99 %.1f ms %s %.0f ms budget", r.P99, cmp, budget)
	return x, true
}

// share formats a ratio as a percentage with two decimals, or with two
// significant digits when two decimals would show a non-zero share as
// 0.00 (1 failed request in 100 000 is 0.001 %).
func share(ratio float64) string {
	p := 100 * ratio
	if p != 0 && math.Abs(p) < 0.005 {
		return strconv.FormatFloat(p, 'g', 2, 64)
	}
	return fmt.Sprintf("%.2f", p)
}
