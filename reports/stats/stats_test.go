package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestQuantiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		xs   []float64
		med  float64
		q90  float64
		mad  float64
	}{
		// odd length: the middle value
		{"odd", []float64{3, 1, 2}, 2, 2.8, 1.4826},
		// even length: mean of the two middles
		{"even", []float64{4, 1, 3, 2}, 2.5, 3.7, 1.4826},
		// empty: zeros, no panic
		{"empty", nil, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Median(c.xs); !near(got, c.med, 1e-9) {
				t.Errorf("Median = %v, want %v", got, c.med)
			}
			if got := Quantile(c.xs, 0.9); !near(got, c.q90, 1e-9) {
				t.Errorf("Quantile(0.9) = %v, want %v", got, c.q90)
			}
			if got := MAD(c.xs); !near(got, c.mad, 1e-4) {
				t.Errorf("MAD = %v, want %v", got, c.mad)
			}
		})
	}
}

func TestMedianCI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		n        int
		warn     bool
		low, hig float64
	}{
		// 5 samples: no 95 % interval exists, the range is returned with a warning
		{"five", 5, true, 1, 5},
		// 6 samples: the extremes are the 96.9 % interval
		{"six", 6, false, 1, 6},
		// 20 samples: order statistics 6 and 15 (binomial 0.0207 per tail)
		{"twenty", 20, false, 6, 15},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			xs := make([]float64, c.n)
			for i := range xs {
				xs[c.n-1-i] = float64(i + 1)
			}
			iv := MedianCI(xs)
			if (len(iv.Warnings) > 0) != c.warn {
				t.Fatalf("warnings %v, want warn=%v", iv.Warnings, c.warn)
			}
			if c.warn && !errors.Is(iv.Warnings[0], ErrTooFewSamples) {
				t.Errorf("warning %v does not wrap ErrTooFewSamples", iv.Warnings[0])
			}
			if iv.Low != c.low || iv.High != c.hig {
				t.Errorf("interval %v…%v, want %v…%v", iv.Low, iv.High, c.low, c.hig)
			}
		})
	}
}

func TestTheilSen(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	n := 200
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
		y[i] = 10 + 0.5*x[i] + rng.NormFloat64()
	}
	// Ten wild outliers pull least squares but not Theil–Sen.
	for i := 150; i < 160; i++ {
		y[i] += 500
	}
	ts, ols := TheilSen(x, y), OLS(x, y)
	if !(ts.SlopeLow < 0.5 && 0.5 < ts.SlopeHigh) {
		t.Errorf("Theil–Sen interval %v…%v misses the true slope 0.5", ts.SlopeLow, ts.SlopeHigh)
	}
	if ts.SlopeHigh-ts.SlopeLow > 0.05 {
		t.Errorf("Theil–Sen interval %v…%v too wide", ts.SlopeLow, ts.SlopeHigh)
	}
	if math.Abs(ols.Slope-0.5) < math.Abs(ts.Slope-0.5) {
		t.Errorf("OLS slope %v closer than Theil–Sen %v despite outliers", ols.Slope, ts.Slope)
	}
	if !near(ts.Intercept, 10, 0.5) {
		t.Errorf("intercept %v, want ≈10", ts.Intercept)
	}
	// Flat noise: interval straddles zero, r² near zero.
	for i := range y {
		y[i] = 10 + rng.NormFloat64()
	}
	flat := TheilSen(x, y)
	if !(flat.SlopeLow < 0 && flat.SlopeHigh > 0) {
		t.Errorf("flat series interval %v…%v excludes zero", flat.SlopeLow, flat.SlopeHigh)
	}
	if flat.R2 > 0.1 {
		t.Errorf("flat series r² %v, want ≈0", flat.R2)
	}
	// Too few points: slope without interval, warned.
	few := TheilSen([]float64{0, 1, 2}, []float64{0, 1, 2})
	if few.Slope != 1 || len(few.Warnings) == 0 || few.R2 != 1 {
		t.Errorf("three points: slope %v r² %v warnings %v", few.Slope, few.R2, few.Warnings)
	}
}

func TestMannWhitney(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		a, b   []float64
		p      float64 // expected p (tolerance 1e-3)
		exact  bool
		warned bool
	}{
		// 4 vs 4 fully separated: the smallest exact p, 2/70
		{"separated 4v4", []float64{1, 2, 3, 4}, []float64{5, 6, 7, 8}, 2.0 / 70, true, false},
		// 3 vs 3 fully separated: 2/20 = 0.1, cannot reach 0.05, warned
		{"separated 3v3", []float64{1, 2, 3}, []float64{4, 5, 6}, 0.1, true, true},
		// interleaved: no evidence
		{"interleaved", []float64{1, 3, 5, 7}, []float64{2, 4, 6, 8}, 0.686, true, false},
		// ties force the normal approximation
		{"ties", []float64{1, 1, 2, 2, 3}, []float64{3, 3, 4, 4, 5}, 0.0189, false, false},
		// one value each: p = 1, warned
		{"n=1", []float64{1}, []float64{2}, 1, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := MannWhitney(c.a, c.b)
			if !near(got.P, c.p, 1e-3) {
				t.Errorf("p = %v, want %v", got.P, c.p)
			}
			if got.Exact != c.exact {
				t.Errorf("exact = %v, want %v", got.Exact, c.exact)
			}
			if (len(got.Warnings) > 0) != c.warned {
				t.Errorf("warnings %v, want warned=%v", got.Warnings, c.warned)
			}
		})
	}
}

func TestHodgesLehmann(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	a := make([]float64, 10)
	b := make([]float64, 10)
	for i := range a {
		a[i] = 100 + rng.NormFloat64()
		b[i] = 70 + rng.NormFloat64()
	}
	iv := HodgesLehmann(a, b)
	if !(iv.Low < -30 && -30 < iv.High) || !near(iv.Center, -30, 1.5) {
		t.Errorf("shift %v (%v…%v), want ≈−30 inside", iv.Center, iv.Low, iv.High)
	}
	if len(iv.Warnings) != 0 {
		t.Errorf("unexpected warnings %v", iv.Warnings)
	}
	small := HodgesLehmann([]float64{1, 2}, []float64{3, 4})
	if len(small.Warnings) == 0 || small.Low != 1 || small.High != 3 {
		t.Errorf("2v2: %+v, want full range 1…3 with a warning", small)
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }
