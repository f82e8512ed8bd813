// Package changepoint finds the points where a series of nightly results
// changed level, the way Apache Otava (formerly Hunter) and MongoDB's
// performance signal processing do: e-divisive means (Matteson and James,
// 2014) splits a series where the energy distance between the two sides is
// largest, keeps a split only when a permutation test finds it significant
// and the means of the two sides differ by a minimum magnitude, and splits
// the sides again. It adapts to each series' own noise instead of a fixed
// threshold; it needs a few points after a change (MinSize) to see it.
//
// It is a leaf: it imports nothing of soaklab. Results are deterministic:
// the permutations are drawn from a generator seeded by Options.Seed.
package changepoint

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Options are the knobs of Detect.
type Options struct {
	// Alpha is the significance level: a split is kept when the permutation
	// test's p-value is at most Alpha.
	Alpha float64
	// MinMagnitude is the smallest relative change of the mean, |after -
	// before| / |before|, a split must show to be kept (0.05 is 5 %).
	MinMagnitude float64
	// Permutations is how many shuffles the permutation test draws; the
	// smallest p-value it can give is 1/(Permutations+1).
	Permutations int
	// MinSize is the fewest points on each side of a split.
	MinSize int
	// Seed seeds the permutations.
	Seed uint64
}

// DefaultOptions: p ≤ 0.001 (as Otava keeps), a change of at least 5 %, 999
// permutations (the fewest that can give p = 0.001), three nights on each
// side.
var DefaultOptions = Options{Alpha: 0.001, MinMagnitude: 0.05, Permutations: 999, MinSize: 3, Seed: 1}

// Change is one change point: the series moved from Before to After (the
// means of the segments either side) at Index, the first point of the new
// level.
type Change struct {
	Index         int
	Before, After float64
	// Rel is (After - Before) / |Before|: +0.2 is 20 % higher.
	Rel float64
	// P is the permutation test's p-value.
	P float64
}

// Detect returns the change points of xs in index order. NaN values are
// skipped (a night that did not measure the metric); indices are into xs.
func Detect(xs []float64, o Options) []Change {
	if o.MinSize < 1 {
		o.MinSize = 1
	}
	if o.Permutations < 1 {
		o.Permutations = DefaultOptions.Permutations
	}
	var vals []float64
	var at []int
	for i, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			vals, at = append(vals, x), append(at, i)
		}
	}
	var out []Change
	split(vals, 0, len(vals), o, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	for i := range out {
		out[i].Index = at[out[i].Index]
	}
	return out
}

// split tests vals[lo:hi] for one change and, when found, splits the two
// sides again.
func split(vals []float64, lo, hi int, o Options, out *[]Change) {
	seg := vals[lo:hi]
	m := len(seg)
	if m < 2*o.MinSize {
		return
	}
	d := distances(seg)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	tau, q := best(d, idx, o.MinSize)
	if tau < 0 {
		return
	}
	tau = refine(seg, tau, o.MinSize)
	before, after := mean(seg[:tau]), mean(seg[tau:])
	rel := math.Inf(1)
	if before != 0 {
		rel = (after - before) / math.Abs(before)
	} else if after == before {
		rel = 0
	}
	if math.Abs(rel) < o.MinMagnitude {
		return
	}
	// Permutation test: how often does a shuffled segment split as well?
	r := rand.New(rand.NewPCG(o.Seed, uint64(lo)<<32|uint64(hi)))
	worse := 0
	limit := int(o.Alpha * float64(o.Permutations+1)) // more than this and p > Alpha
	for range o.Permutations {
		r.Shuffle(m, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		if _, qp := best(d, idx, o.MinSize); qp >= q {
			worse++
			if worse > limit {
				return
			}
		}
	}
	p := float64(worse+1) / float64(o.Permutations+1)
	if p > o.Alpha {
		return
	}
	*out = append(*out, Change{Index: lo + tau, Before: before, After: after, Rel: rel, P: p})
	split(vals, lo, lo+tau, o, out)
	split(vals, lo+tau, hi, o, out)
}

// distances is the matrix of |x_i - x_j|, row-major.
func distances(xs []float64) []float64 {
	m := len(xs)
	d := make([]float64, m*m)
	for i := range m {
		for j := i + 1; j < m; j++ {
			v := math.Abs(xs[i] - xs[j])
			d[i*m+j], d[j*m+i] = v, v
		}
	}
	return d
}

// best is the split of the sequence idx (positions into the distance
// matrix d) that maximises the energy statistic
//
//	Q(τ) = (a·b/(a+b)) · (2·mean|x−y| − mean|x−x'| − mean|y−y'|)
//
// over left sides of a = τ and right sides of b = m−τ points, each at least
// minSize. It runs in O(m²), moving one point at a time from right to left.
func best(d []float64, idx []int, minSize int) (tau int, q float64) {
	m := len(idx)
	var total float64
	for i := range m {
		for j := i + 1; j < m; j++ {
			total += d[idx[i]*m+idx[j]]
		}
	}
	sl, sr, bt := 0.0, total, 0.0
	tau, q = -1, math.Inf(-1)
	for t := 1; t < m; t++ {
		k := idx[t-1]
		var a, b float64
		for i := 0; i < t-1; i++ {
			a += d[idx[i]*m+k]
		}
		for j := t; j < m; j++ {
			b += d[k*m+idx[j]]
		}
		sl, sr, bt = sl+a, sr-b, bt-a+b
		na, nb := float64(t), float64(m-t)
		if t < minSize || m-t < minSize {
			continue
		}
		e := 2 * bt / (na * nb)
		if na > 1 {
			e -= sl / (na * (na - 1) / 2)
		}
		if nb > 1 {
			e -= sr / (nb * (nb - 1) / 2)
		}
		if v := na * nb / (na + nb) * e; v > q {
			tau, q = t, v
		}
	}
	return tau, q
}

// refine moves a split found by the energy statistic, which only ranks
// splits, to the one nearby (two points either way) that leaves the least
// squared error about the two sides' means: where a shift of the mean most
// likely happened.
func refine(seg []float64, tau, minSize int) int {
	bestT, bestE := tau, math.Inf(1)
	for t := max(tau-2, minSize); t <= min(tau+2, len(seg)-minSize); t++ {
		e := sse(seg[:t]) + sse(seg[t:])
		if e < bestE || e == bestE && abs(t-tau) < abs(bestT-tau) {
			bestT, bestE = t, e
		}
	}
	return bestT
}

func sse(xs []float64) float64 {
	m, s := mean(xs), 0.0
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return s
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
