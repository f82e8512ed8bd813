package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestNormalQuantile(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ p, want float64 }{
		{0.5, 0}, {0.975, 1.959964}, {0.8, 0.841621}, {0.025, -1.959964}, {0.99, 2.326348},
	} {
		if got := NormalQuantile(c.p); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("NormalQuantile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if !math.IsInf(NormalQuantile(0), -1) || !math.IsInf(NormalQuantile(1), 1) {
		t.Error("quantiles of 0 and 1 are not infinite")
	}
}

func TestRepeatsToDetect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		sd, delta, alpha float64
		want             int
	}{
		// one standard deviation: the approximation 2·(1.96+0.84)²·π/3 =
		// 16.4 → 17; the exact test, conservative at its discrete levels,
		// needs 19 (a t test 17)
		{"1 sd", 1, 1, 0.05, 19},
		// two: the approximation says 5, the exact test 6
		{"2 sd", 1, 2, 0.05, 6},
		// huge effect: never below the exact test's minimum
		{"10 sd", 1, 10, 0.05, MinCompareSamples},
		// half a sd: 65.8 → 66, past exactPowerLimit: the approximation
		{"0.5 sd", 2, 1, 0.05, 66},
		// a stricter level needs more
		{"alpha 0.01", 1, 1, 0.01, 26},
		{"no noise", 0, 1, 0.05, 0},
		{"no effect", 1, 0, 0.05, 0},
		{"NaN", math.NaN(), 1, 0.05, 0},
	}
	for _, c := range cases {
		if got := RepeatsToDetect(c.sd, c.delta, c.alpha, Power); got != c.want {
			t.Errorf("%s: RepeatsToDetect(%v, %v, %v) = %d, want %d", c.name, c.sd, c.delta, c.alpha, got, c.want)
		}
	}
}

// The planned size does what it says: with RepeatsToDetect repeats a side
// the Mann–Whitney test detects the shift in about Power of trials
// (trials with other seeds than the planning's: 75–92 %).
func TestRepeatsToDetectPower(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, delta := range []float64{1, 1.5, 2.5} {
		n := RepeatsToDetect(1, delta, 0.05, Power)
		hits, trials := 0, 1000
		for range trials {
			a, b := make([]float64, n), make([]float64, n)
			for i := range a {
				a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()+delta
			}
			if MannWhitney(a, b).P < 0.05 {
				hits++
			}
		}
		if p := float64(hits) / float64(trials); p < 0.75 || p > 0.92 {
			t.Errorf("delta %v sd, n=%d: detected in %.0f %% of trials, want ≈ %.0f %%", delta, n, p*100, Power*100)
		}
	}
}

func TestPooledStdDev(t *testing.T) {
	t.Parallel()
	if got := PooledStdDev([]float64{1, 3}, []float64{10, 12}); math.Abs(got-math.Sqrt2) > 1e-12 {
		t.Errorf("pooled sd %v, want √2", got)
	}
	if got := PooledStdDev([]float64{1}, []float64{5}); got != 0 {
		t.Errorf("pooled sd of two values %v, want 0", got)
	}
}
