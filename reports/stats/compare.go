package stats

import (
	"fmt"
	"math"
	"sort"
)

// exactLimit is the largest n1·n2 for which MannWhitney computes the exact
// distribution of U (when there are no ties).
const exactLimit = 2500

// Test is the result of a two-sample comparison of A and B.
type Test struct {
	U        float64 // Mann–Whitney U of B against A (count of b > a, ties ½)
	P        float64 // two-sided p-value
	Exact    bool    // p from the exact distribution, not the normal approximation
	NA, NB   int
	Warnings []error
}

// MannWhitney is the two-sided Mann–Whitney U test of whether a and b come
// from the same distribution. It is exact for small samples without ties
// and uses the normal approximation with tie and continuity correction
// otherwise. Below MinCompareSamples per side no p < 0.05 is possible and
// a warning says so.
func MannWhitney(a, b []float64) Test {
	t := Test{NA: len(a), NB: len(b), P: 1}
	if len(a) < MinCompareSamples || len(b) < MinCompareSamples {
		t.Warnings = append(t.Warnings, fmt.Errorf("%w: need >= %d samples to detect a difference at alpha level 0.05, have %d and %d",
			ErrTooFewSamples, MinCompareSamples, len(a), len(b)))
	}
	if len(a) == 0 || len(b) == 0 {
		return t
	}
	n1, n2 := len(a), len(b)
	// Ranks of the pooled sample, ties averaged.
	type v struct {
		x float64
		b bool
	}
	all := make([]v, 0, n1+n2)
	for _, x := range a {
		all = append(all, v{x, false})
	}
	for _, x := range b {
		all = append(all, v{x, true})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].x < all[j].x })
	var rb, tieSum float64
	hasTies := false
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].x == all[i].x {
			j++
		}
		r := float64(i+j+1) / 2 // average 1-based rank
		if tn := float64(j - i); tn > 1 {
			hasTies = true
			tieSum += tn*tn*tn - tn
		}
		for k := i; k < j; k++ {
			if all[k].b {
				rb += r
			}
		}
		i = j
	}
	t.U = rb - float64(n2*(n2+1))/2
	mu := float64(n1*n2) / 2
	if !hasTies && n1*n2 <= exactLimit {
		t.Exact = true
		cdf := uCDF(n1, n2)
		lo := math.Min(t.U, float64(n1*n2)-t.U)
		t.P = math.Min(1, 2*cdf[int(lo)])
		return t
	}
	n := float64(n1 + n2)
	sigma := math.Sqrt(float64(n1*n2) / 12 * ((n + 1) - tieSum/(n*(n-1))))
	if sigma == 0 {
		return t
	}
	d := math.Abs(t.U-mu) - 0.5
	if d < 0 {
		d = 0
	}
	t.P = math.Min(1, 2*(1-normalCDF(d/sigma)))
	return t
}

// uCDF returns P(U <= u) for u = 0..n1·n2 under the null hypothesis, by
// counting the arrangements with a given U.
func uCDF(n1, n2 int) []float64 {
	// f[i][j][u]: arrangements of i a's and j b's with U = u; rolled over j.
	max := n1 * n2
	prev := make([][]float64, n1+1) // prev[i] for j-1
	cur := make([][]float64, n1+1)
	for i := range prev {
		prev[i] = make([]float64, max+1)
		cur[i] = make([]float64, max+1)
	}
	for i := 0; i <= n1; i++ {
		prev[i][0] = 1 // j = 0: U is 0
	}
	for j := 1; j <= n2; j++ {
		for i := 0; i <= n1; i++ {
			for u := range cur[i] {
				cur[i][u] = 0
			}
			for u := 0; u <= max; u++ {
				// last element is a b: it exceeds all i a's, U grows by i.
				if u-i >= 0 {
					cur[i][u] += prev[i][u-i]
				}
				// last element is an a.
				if i > 0 {
					cur[i][u] += cur[i-1][u]
				}
			}
		}
		prev, cur = cur, prev
	}
	counts := prev[n1]
	total := 0.0
	for _, c := range counts {
		total += c
	}
	cdf := make([]float64, max+1)
	acc := 0.0
	for u, c := range counts {
		acc += c
		cdf[u] = acc / total
	}
	return cdf
}

// HodgesLehmann is the median of all differences b−a, the shift of B
// against A, with a 95 % interval from the Mann–Whitney critical value
// (exact for small samples, normal otherwise). Without enough samples for
// an interval it spans all differences and carries a warning.
func HodgesLehmann(a, b []float64) Interval {
	if len(a) == 0 || len(b) == 0 {
		return Interval{Warnings: []error{fmt.Errorf("%w: need samples on both sides", ErrTooFewSamples)}}
	}
	d := make([]float64, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			d = append(d, y-x)
		}
	}
	sort.Float64s(d)
	iv := Interval{Center: quantileSorted(d, 0.5), Low: d[0], High: d[len(d)-1]}
	n1, n2 := len(a), len(b)
	alpha := 1 - Confidence
	// k: number of differences cut from each end.
	k := 0
	if n1*n2 <= exactLimit {
		cdf := uCDF(n1, n2)
		for c := 0; c < len(cdf); c++ {
			if cdf[c] > alpha/2 {
				break
			}
			k = c + 1
		}
	} else {
		sd := math.Sqrt(float64(n1*n2*(n1+n2+1)) / 12)
		k = int(math.Floor(float64(n1*n2)/2 - z95*sd))
	}
	if k < 1 {
		iv.Warnings = append(iv.Warnings, fmt.Errorf("%w: need >= %d samples for a shift interval at level %v, have %d and %d",
			ErrTooFewSamples, MinCompareSamples, Confidence, n1, n2))
		return iv
	}
	iv.Low, iv.High = d[k-1], d[len(d)-k]
	return iv
}
