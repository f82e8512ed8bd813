// Package stats holds the robust statistics soaklab's judge relies on:
// medians and quantiles, MAD, the Theil–Sen slope with Sen's confidence
// interval, the Mann–Whitney U test and the Hodges–Lehmann shift. It is a
// pure leaf: it imports only the standard library and knows nothing of
// samples, cells or verdicts.
//
// Functions never fail on small samples: they return what they can and a
// list of warnings (errors wrapping ErrTooFewSamples), in the manner of a
// benchmark statistics tool that says "need >= 6 samples" instead of
// refusing.
package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrTooFewSamples is wrapped by every warning about a sample too small
// for the requested statistic.
var ErrTooFewSamples = errors.New("too few samples")

// Confidence is the confidence level of every interval in this package.
const Confidence = 0.95

// z95 is the two-sided standard normal quantile for Confidence.
const z95 = 1.959963984540054

// MinCISamples is the smallest sample whose median has a 95 % interval
// from order statistics (2·0.5^6 < 0.05).
const MinCISamples = 6

// MinCompareSamples is the smallest sample per side for which the exact
// Mann–Whitney test can reach p < 0.05 (2/C(8,4) = 0.029).
const MinCompareSamples = 4

// sorted returns a sorted copy of xs.
func sorted(xs []float64) []float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s
}

// Median is the middle of xs (the mean of the two middles for even
// length); 0 for an empty slice.
func Median(xs []float64) float64 {
	return Quantile(xs, 0.5)
}

// Quantile is the q-quantile of xs with linear interpolation between
// order statistics (type 7); 0 for an empty slice.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := sorted(xs)
	return quantileSorted(s, q)
}

func quantileSorted(s []float64, q float64) float64 {
	if q <= 0 {
		return s[0]
	}
	if q >= 1 {
		return s[len(s)-1]
	}
	pos := q * float64(len(s)-1)
	i := int(math.Floor(pos))
	if i+1 >= len(s) {
		return s[i]
	}
	f := pos - float64(i)
	return s[i] + f*(s[i+1]-s[i])
}

// MAD is the median absolute deviation from the median, scaled by 1.4826
// so that it estimates the standard deviation of normal data.
func MAD(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m := Median(xs)
	d := make([]float64, len(xs))
	for i, x := range xs {
		d[i] = math.Abs(x - m)
	}
	return 1.4826 * Median(d)
}

// Mean is the arithmetic mean; 0 for an empty slice.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// StdDev is the sample standard deviation (n−1); 0 below two values.
func StdDev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := Mean(xs)
	var s float64
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(xs)-1))
}

// CV is the coefficient of variation, StdDev/Mean, as a fraction; 0 when
// the mean is 0.
func CV(xs []float64) float64 {
	m := Mean(xs)
	if m == 0 {
		return 0
	}
	return StdDev(xs) / math.Abs(m)
}

// Interval is a point estimate with a confidence interval.
type Interval struct {
	Center, Low, High float64
	// Warnings say why Low/High are missing or widened (they then equal the
	// sample's extremes).
	Warnings []error
}

// MedianCI is the median of xs with a 95 % distribution-free interval
// from order statistics (binomial). Below MinCISamples the interval is the
// sample's range and a warning says so.
func MedianCI(xs []float64) Interval {
	n := len(xs)
	if n == 0 {
		return Interval{Warnings: []error{fmt.Errorf("%w: no samples", ErrTooFewSamples)}}
	}
	s := sorted(xs)
	iv := Interval{Center: quantileSorted(s, 0.5), Low: s[0], High: s[n-1]}
	if n < MinCISamples {
		iv.Warnings = append(iv.Warnings, fmt.Errorf("%w: need >= %d samples for confidence interval at level %v, have %d",
			ErrTooFewSamples, MinCISamples, Confidence, n))
		return iv
	}
	// Largest k with P(X < k) <= alpha/2 for X ~ Binomial(n, 1/2): the
	// interval is [s(k), s(n-1-k)] in 0-based order statistics.
	alpha := 1 - Confidence
	k := 0
	for c := 0; c < n/2; c++ {
		if binomCDF(n, c) > alpha/2 {
			break
		}
		k = c + 1
	}
	iv.Low, iv.High = s[k-1+0], s[n-k]
	return iv
}

// binomCDF is P(X <= k) for X ~ Binomial(n, 1/2).
func binomCDF(n, k int) float64 {
	var p float64
	for i := 0; i <= k; i++ {
		p += math.Exp(lchoose(n, i) - float64(n)*math.Ln2)
	}
	return p
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// normalCDF is the standard normal distribution function.
func normalCDF(z float64) float64 {
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}
