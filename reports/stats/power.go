package stats

import (
	"math"
	"math/rand/v2"
)

// exactPowerLimit is the largest number of repeats a side for which
// RepeatsToDetect checks the normal approximation against the exact rank
// test's power (by simulation); above it the approximation is good.
const exactPowerLimit = 40

// powerTrials is the number of simulated comparisons per size.
const powerTrials = 4000

// Power is the probability of detecting a true difference that a
// comparison is planned for (RepeatsToDetect's default, the usual 80 %).
const Power = 0.8

// NormalQuantile is the inverse of the standard normal distribution
// function, by bisection on normalCDF (exact to 1e-12; p outside (0,1)
// gives ±Inf).
func NormalQuantile(p float64) float64 {
	switch {
	case p <= 0:
		return math.Inf(-1)
	case p >= 1:
		return math.Inf(1)
	}
	lo, hi := -40.0, 40.0
	for hi-lo > 1e-12 {
		mid := (lo + hi) / 2
		if normalCDF(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// RepeatsToDetect is the number of repeats per side with which a two-sided
// Mann–Whitney test at level alpha detects a shift of delta between two
// sides whose values vary with standard deviation sd, with probability
// power. It is the normal approximation of the two-sample t test's size,
//
//	n = 2·(z(1−alpha/2) + z(power))²·sd²/delta²,
//
// divided by the Mann–Whitney test's asymptotic relative efficiency under
// normal noise, 3/π (so about 5 % more repeats than a t test), and never
// below MinCompareSamples, under which no exact p < 0.05 exists. The
// approximation is optimistic for few repeats (with 4 a side the exact
// test needs the sides not to overlap at all), so up to exactPowerLimit
// repeats the answer is the smallest size whose exact test reaches power
// on seeded simulated normal noise. It is 0 when delta or sd is not a
// positive finite number: nothing to plan for.
func RepeatsToDetect(sd, delta, alpha, power float64) int {
	delta = math.Abs(delta)
	if !(sd > 0) || !(delta > 0) || math.IsInf(sd, 0) || math.IsInf(delta, 0) || !(alpha > 0 && alpha < 1) || !(power > 0 && power < 1) {
		return 0
	}
	z := NormalQuantile(1-alpha/2) + NormalQuantile(power)
	n := 2 * z * z * sd * sd / (delta * delta) * math.Pi / 3
	if n > 1e9 {
		return 1e9
	}
	approx := max(int(math.Ceil(n)), MinCompareSamples)
	if approx > exactPowerLimit {
		return approx
	}
	// The approximation is optimistic, so the search starts just under it.
	for k := max(MinCompareSamples, approx-2); k <= exactPowerLimit; k++ {
		if exactPower(k, delta/sd, alpha) >= power {
			return k
		}
	}
	return approx
}

// exactPower is the share of powerTrials seeded comparisons of k against k
// normal values, shifted by effect standard deviations, that the exact
// two-sided Mann–Whitney test at level alpha detects.
func exactPower(k int, effect, alpha float64) float64 {
	cdf := uCDF(k, k)
	crit := -1 // reject when min(U, k²−U) <= crit
	for c := range cdf {
		if 2*cdf[c] > alpha {
			break
		}
		crit = c
	}
	if crit < 0 {
		return 0
	}
	rng := rand.New(rand.NewPCG(uint64(k), 0x5eed))
	a, b := make([]float64, k), make([]float64, k)
	hits := 0
	for range powerTrials {
		for i := range a {
			a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()+effect
		}
		u := 0
		for _, x := range a {
			for _, y := range b {
				if y > x {
					u++
				}
			}
		}
		if min(u, k*k-u) <= crit {
			hits++
		}
	}
	return float64(hits) / powerTrials
}

// PooledStdDev is the standard deviation of a and b around their own
// means, pooled (n−2 degrees of freedom); 0 when there are fewer than
// three values in all.
func PooledStdDev(a, b []float64) float64 {
	df := len(a) + len(b) - 2
	if df < 1 {
		return 0
	}
	ss := 0.0
	for _, xs := range [][]float64{a, b} {
		if len(xs) == 0 {
			continue
		}
		m := Mean(xs)
		for _, x := range xs {
			ss += (x - m) * (x - m)
		}
	}
	return math.Sqrt(ss / float64(df))
}
