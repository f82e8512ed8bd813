package judge

import (
	"fmt"
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/stats"
)

// powerMargin is how many half-widths of a 95 % slope interval a true
// slope must clear above the floor for the interval's lower bound to clear
// it with 80 % probability: 1 + z(0.8)/z(0.975) = 1 + 0.8416/1.96.
var powerMargin = 1 + stats.NormalQuantile(stats.Power)/stats.NormalQuantile(0.975)

// driftSpan is the distance between the centres of the first and last
// quarters of a window, as a share of it: what a linear leak's drift
// measures.
const driftSpan = 0.75

// Detect is the detectability of a cell's leak criterion (see
// results.Detectability), or nil when the slope has no interval.
func Detect(r analysis.Result, j matrix.Judge) *results.Detectability {
	j = WithDefaults(j)
	w := r.FitTo - r.FitFrom
	if r.Fit.N < stats.MinFitSamples || !(w > 0) || r.Fit.SlopeHigh <= r.Fit.SlopeLow {
		return nil
	}
	d := &results.Detectability{
		HalfWidthMiBPerH: analysis.MiBPerH(r.Fit.SlopeHigh-r.Fit.SlopeLow) / 2,
		WindowS:          w,
	}
	if r.Late.N >= stats.MinFitSamples && r.Late.SlopeHigh > r.Late.SlopeLow {
		d.LateHalfWidthMiBPerH = analysis.MiBPerH(r.Late.SlopeHigh-r.Late.SlopeLow) / 2
	}
	if p, ok := plateau(r, j.MaxSlopeMiBPerH); ok && p.Recent.SlopeHigh > p.Recent.SlopeLow {
		// The whole window's interval measures the climb's misfit to a
		// line, not noise: take the noise where the series is at rest,
		// scaled from the recent segment to the window.
		wr := r.FitTo - r.Change.At
		d.HalfWidthMiBPerH = analysis.MiBPerH(p.Recent.SlopeHigh-p.Recent.SlopeLow) / 2 * math.Pow(w/wr, -1.5)
		d.LateHalfWidthMiBPerH = d.HalfWidthMiBPerH * math.Pow(2, 1.5)
	}
	d.MinLeakMiBPerH, d.Bound = minLeak(*d, w, r.Fit.At(r.FitFrom+w/8), j)
	return d
}

// minLeak is the smallest detectable slope in MiB/h for d's slope
// intervals scaled to a window of w seconds whose first quarter sits at
// base bytes, and what bounds it: the whole slope's lower bound above the
// floor (noise), the last half's lower bound above 0 (last half) and the
// drift threshold (drift). (MinGrowth only holds back a slope whose drift
// is under its threshold, so it bounds nothing here.)
func minLeak(d results.Detectability, w, base float64, j matrix.Judge) (float64, string) {
	scale := math.Pow(w/d.WindowS, -1.5)
	v, bound := j.MaxSlopeMiBPerH+powerMargin*d.HalfWidthMiBPerH*scale, "noise"
	if l := powerMargin * d.LateHalfWidthMiBPerH * scale; l > v {
		v, bound = l, "last half"
	}
	if base > 0 {
		if dr := analysis.MiBPerH(j.MaxDriftPct / 100 * base / (driftSpan * w)); dr > v {
			v, bound = dr, "drift"
		}
	}
	return v, bound
}

// DetectableIn is the smallest leak d's cell would detect had its window
// lasted w seconds: the half-widths scaled as (w/d.WindowS)^-1.5, as a
// Theil–Sen slope's interval does under white noise (memory noise is
// rarely white, so it is an estimate, optimistic under slow wander).
func DetectableIn(d results.Detectability, w, base float64, j matrix.Judge) float64 {
	j = WithDefaults(j)
	v, _ := minLeak(d, w, base, j)
	return v
}

// DurationToDetect is the measured window that would detect a leak of
// rate MiB/h at d's noise (DetectableIn(w) = rate, by bisection), or +Inf
// when rate is not above the slope floor: under it nothing is a leak at any
// duration.
func DurationToDetect(d results.Detectability, rate, base float64, j matrix.Judge) float64 {
	j = WithDefaults(j)
	if rate <= j.MaxSlopeMiBPerH || d.WindowS <= 0 {
		return math.Inf(1)
	}
	lo, hi := d.WindowS/1e6, d.WindowS
	for DetectableIn(d, hi, base, j) > rate {
		if hi > 1e9 {
			return math.Inf(1)
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1e-3*hi {
		mid := (lo + hi) / 2
		if DetectableIn(d, mid, base, j) > rate {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// detectSentence is what the leak reason adds: the smallest leak the cell
// detects, and the window four times longer would.
func detectSentence(d *results.Detectability, base float64, j matrix.Judge) string {
	if d == nil {
		return ""
	}
	return fmt.Sprintf("; this cell detects leaks ≥ %.1f MiB/h (%.0f MiB/day; 80 %% power, bound by %s: slope ±%.1f MiB/h over %.0f s); a 4× longer window would detect ≥ %.1f MiB/h",
		d.MinLeakMiBPerH, d.MinLeakMiBPerH*24, d.Bound, d.HalfWidthMiBPerH, d.WindowS, DetectableIn(*d, 4*d.WindowS, base, j))
}

// withDetect stores d in the analysis and appends its sentence to the leak
// reason.
func withDetect(rs []results.Reason, a *results.Analysis, r analysis.Result, j matrix.Judge) {
	d := Detect(r, j)
	if a != nil {
		a.Detect = d
	}
	base := 0.0
	if d != nil {
		base = r.Fit.At(r.FitFrom + d.WindowS/8)
	}
	for i := range rs {
		if rs[i].Criterion == "leak" {
			rs[i].Message += detectSentence(d, base, j)
		}
	}
}
