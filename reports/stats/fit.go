package stats

import (
	"fmt"
	"math"
	"sort"
)

// MinFitSamples is the smallest series Fit gives a confidence interval
// for; Sen's normal approximation is rough below it.
const MinFitSamples = 10

// Line is a fitted straight line y = Intercept + Slope·x.
type Line struct {
	Slope, Intercept float64
	// SlopeLow and SlopeHigh bound the slope at the 95 % level, or at
	// TheilSenLevel's (Theil–Sen only; equal to Slope when no interval
	// could be computed).
	SlopeLow, SlopeHigh float64
	// R2 is 1 − SSres/SStot of the line against the data, clamped at 0.
	R2 float64
	N  int
	// Warnings say why the interval is missing.
	Warnings []error
}

// At is the line's value at x.
func (l Line) At(x float64) float64 { return l.Intercept + l.Slope*x }

// TheilSen fits the median of all pairwise slopes, robust to outliers and
// to the spikes of garbage-collected memory. The 95 % interval is Sen's
// (1968): with N pairwise slopes sorted and Kendall's S variance
// n(n−1)(2n+5)/18 corrected for ties in x, C = z·√Var(S) and the bounds
// are the slopes of rank (N−C)/2 and (N+C)/2+1.
//
// Cost is O(n²) in time and memory: callers with long series reduce them
// first (the analysis package averages into at most a few hundred bins).
func TheilSen(x, y []float64) Line { return TheilSenLevel(x, y, Confidence) }

// TheilSenLevel is TheilSen with the slope's interval at another two-sided
// confidence level (0 < level < 1): a stricter level for a decision taken
// at many looks, as early stopping does.
func TheilSenLevel(x, y []float64, level float64) Line {
	z := z95
	if level != Confidence {
		z = math.Sqrt2 * math.Erfinv(level)
	}
	n := len(x)
	if n != len(y) {
		panic(fmt.Sprintf("stats: TheilSen: %d x values, %d y values", len(x), len(y)))
	}
	l := Line{N: n}
	if n < 2 {
		l.Warnings = append(l.Warnings, fmt.Errorf("%w: need >= 2 points for a slope, have %d", ErrTooFewSamples, n))
		if n == 1 {
			l.Intercept = y[0]
		}
		return l
	}
	slopes := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			dx := x[j] - x[i]
			if dx == 0 {
				continue
			}
			slopes = append(slopes, (y[j]-y[i])/dx)
		}
	}
	if len(slopes) == 0 {
		l.Warnings = append(l.Warnings, fmt.Errorf("%w: all x values equal", ErrTooFewSamples))
		l.Intercept = Median(y)
		return l
	}
	sort.Float64s(slopes)
	l.Slope = quantileSorted(slopes, 0.5)
	res := make([]float64, n)
	for i := range x {
		res[i] = y[i] - l.Slope*x[i]
	}
	l.Intercept = Median(res)
	l.R2 = r2(x, y, l)
	l.SlopeLow, l.SlopeHigh = l.Slope, l.Slope
	if n < MinFitSamples {
		l.Warnings = append(l.Warnings, fmt.Errorf("%w: need >= %d points for a slope interval at level %v, have %d",
			ErrTooFewSamples, MinFitSamples, level, n))
		return l
	}
	varS := float64(n*(n-1)*(2*n+5)) / 18
	for _, t := range ties(x) {
		varS -= float64(t*(t-1)*(2*t+5)) / 18
	}
	c := z * math.Sqrt(varS)
	nn := float64(len(slopes))
	lo := int(math.Floor((nn-c)/2)) - 1 // 0-based rank of (N−C)/2
	hi := int(math.Ceil((nn + c) / 2))  // 0-based rank of (N+C)/2 + 1
	l.SlopeLow = slopes[clamp(lo, 0, len(slopes)-1)]
	l.SlopeHigh = slopes[clamp(hi, 0, len(slopes)-1)]
	return l
}

// OLS is the ordinary least-squares line, for comparison with TheilSen
// (it has no interval here and is pulled by outliers).
func OLS(x, y []float64) Line {
	n := len(x)
	l := Line{N: n}
	if n < 2 || n != len(y) {
		l.Warnings = append(l.Warnings, fmt.Errorf("%w: need >= 2 points for a slope, have %d", ErrTooFewSamples, n))
		return l
	}
	mx, my := Mean(x), Mean(y)
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	if sxx > 0 {
		l.Slope = sxy / sxx
	}
	l.Intercept = my - l.Slope*mx
	l.SlopeLow, l.SlopeHigh = l.Slope, l.Slope
	l.R2 = r2(x, y, l)
	return l
}

func r2(x, y []float64, l Line) float64 {
	my := Mean(y)
	var ssr, sst float64
	for i := range x {
		e := y[i] - l.At(x[i])
		ssr += e * e
		sst += (y[i] - my) * (y[i] - my)
	}
	if sst == 0 {
		if ssr == 0 {
			return 1
		}
		return 0
	}
	return math.Max(0, 1-ssr/sst)
}

// ties returns the sizes of groups of equal values in xs (sizes > 1).
func ties(xs []float64) []int {
	s := sorted(xs)
	var out []int
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, j-i)
		}
		i = j
	}
	return out
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
