package analysis

import (
	"math"
	"slices"

	"github.com/soaklab/soaklab/reports/stats"
)

// Tuning of the memory shape detectors.
const (
	// TroughWindows is how many troughs the measured span is cut into: each
	// trough is the minimum over a window of span/TroughWindows widened by
	// half a window on each side, so a GC cycle up to twice the window long
	// still shows its bottom in every window.
	TroughWindows = 10
	// MinTroughSamples is the shortest measured series a trough slope is
	// computed for.
	MinTroughSamples = 20
	// StepWindow is the number of samples whose median forms one level of
	// the stair-step detector.
	StepWindow = 5
	// MinStepPct is the smallest stair step counted, in percent of the
	// level; the detector also requires the step to exceed four times the
	// robust spread of level changes, so saw-tooth and steady growth are
	// not counted as steps.
	MinStepPct = 3.0
)

// memory fills the memory numbers: all is every sample (peak, episodes),
// mem the measured part (slope, drift, troughs, steps).
func (r *Result) memory(all, mem series, p Params) {
	for i, v := range all.y {
		if i == 0 || v > r.Peak {
			r.Peak = v
		}
	}
	if p.Limit > 0 && all.len() > 0 {
		r.PeakRatio = r.Peak / float64(p.Limit)
		r.Episodes = episodes(all.y, p.ThresholdRatio*float64(p.Limit), (p.ThresholdRatio-p.HysteresisRatio)*float64(p.Limit))
	}
	if mem.len() == 0 {
		return
	}
	r.FitTo = mem.t[mem.len()-1]
	fit := reduce(mem, MaxFitPoints)
	r.Fit = stats.TheilSenLevel(fit.t, fit.y, p.Confidence)
	r.Warnings = append(r.Warnings, r.Fit.Warnings...)
	r.FitAR1 = lagOne(fit, r.Fit)
	if mem.len() >= 4 {
		h := mem.len() / 2
		late := reduce(series{mem.t[h:], mem.y[h:]}, MaxFitPoints)
		r.Late = stats.TheilSenLevel(late.t, late.y, p.Confidence)
		r.LateAR1 = lagOne(late, r.Late)
	}
	r.Change, r.HasChange = changePoint(mem)
	res := make([]float64, mem.len())
	for i := range mem.t {
		res[i] = mem.y[i] - r.Fit.At(mem.t[i])
	}
	r.Noise = stats.MAD(res)
	if n := mem.len(); n >= 8 {
		q := n / 4
		first, last := stats.Mean(mem.y[:q]), stats.Mean(mem.y[n-q:])
		if first > 0 {
			r.DriftPct = (last - first) / first * 100
		}
	}
	if tr := troughs(mem); tr.len() >= 3 {
		r.Trough = stats.TheilSenLevel(tr.t, tr.y, p.Confidence)
		r.HasTrough = true
	}
	r.Steps = steps(mem.y)
	if p.Limit > 0 && r.Fit.Slope > 0 {
		r.TimeToLimit = math.Max(0, (float64(p.Limit)-r.Fit.At(r.FitTo))/r.Fit.Slope)
	}
}

// reduce averages s into at most max bins of equal sample count.
func reduce(s series, max int) series {
	n := s.len()
	if n <= max {
		return s
	}
	var out series
	for b := 0; b < max; b++ {
		lo, hi := b*n/max, (b+1)*n/max
		out.t = append(out.t, stats.Mean(s.t[lo:hi]))
		out.y = append(out.y, stats.Mean(s.y[lo:hi]))
	}
	return out
}

// troughs returns the bottom of each window (see TroughWindows), placed at
// the time it was reached.
func troughs(s series) series {
	n := s.len()
	var out series
	if n < MinTroughSamples {
		return out
	}
	w := n / TroughWindows
	for b := 0; b < TroughWindows; b++ {
		lo, hi := b*w-w/2, (b+1)*w+w/2
		if b == TroughWindows-1 {
			hi = n
		}
		lo, hi = max(lo, 0), min(hi, n)
		k := lo
		for i := lo; i < hi; i++ {
			if s.y[i] < s.y[k] {
				k = i
			}
		}
		if len(out.t) > 0 && out.t[len(out.t)-1] == s.t[k] {
			continue // the same trough seen from two windows
		}
		out.t = append(out.t, s.t[k])
		out.y = append(out.y, s.y[k])
	}
	return out
}

// steps counts upward stair steps: a step is a new high that is kept. A
// level (the median of StepWindow samples) counts when it rises above the
// highest memory seen before the previous window by more than the
// threshold, and the next level keeps it: still above that high, and
// moving less than a third of the rise (a flat tread after the riser).
// The highest memory seen is the largest sample of each window, so a
// burst that is given back at once raises it: memory that floats between
// bursts and troughs never steps however its troughs move.
//
// The threshold is MinStepPct of that high, or four times the noise: the
// robust spread of samples inside a window (the median over windows of
// each window's MAD), which flat treads keep small however many steps the
// series takes. (A spread taken from the changes between levels grows with
// the steps themselves, so a series that steps every few windows would
// hide all of them.) So a saw-tooth does not count (its peaks are the high
// it never passes again), nor does memory that rises in bursts and falls
// back, nor a steady climb (no tread follows a riser), nor a rise in the
// last window (nothing shows it is kept); the top of a ramp that ends in a
// plateau counts once.
func steps(y []float64) int {
	var lv, top, spread []float64
	for i := 0; i+StepWindow <= len(y); i += StepWindow {
		w := y[i : i+StepWindow]
		lv = append(lv, stats.Median(w))
		spread = append(spread, stats.MAD(w))
		top = append(top, slices.Max(w))
	}
	if len(lv) < 4 {
		return 0
	}
	noise := stats.Median(spread) // MAD is already scaled to a standard deviation
	count, cool := 0, -1
	high := math.Max(top[0], top[1])
	for i := 2; i+1 < len(lv); i++ {
		if i > 2 {
			high = math.Max(high, top[i-2])
		}
		thr := math.Max(MinStepPct/100*high, 4*noise)
		rise := lv[i] - high
		if i <= cool || rise <= thr {
			continue
		}
		if lv[i+1] <= high+thr || math.Abs(lv[i+1]-lv[i]) > rise/3 {
			continue
		}
		count++
		cool = i + 1
	}
	return count
}

// episodes counts entries above enter, each ended by falling below leave.
func episodes(y []float64, enter, leave float64) int {
	in, n := false, 0
	for _, v := range y {
		switch {
		case !in && v >= enter:
			in = true
			n++
		case in && v < leave:
			in = false
		}
	}
	return n
}

// lagOne is the lag-one autocorrelation of the residuals of s around l;
// NaN under 3 points or when they do not vary.
func lagOne(s series, l stats.Line) float64 {
	n := s.len()
	if n < 3 {
		return math.NaN()
	}
	res := make([]float64, n)
	for i := range res {
		res[i] = s.y[i] - l.At(s.t[i])
	}
	m := stats.Mean(res)
	var num, den float64
	for i := range res {
		d := res[i] - m
		den += d * d
		if i > 0 {
			num += d * (res[i-1] - m)
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}
