package stats_test

import (
	"fmt"

	"github.com/soaklab/soaklab/reports/stats"
)

// A memory series growing 2 units per step with one spike: Theil–Sen
// ignores the spike.
func ExampleTheilSen() {
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	y := []float64{10, 12, 14, 16, 90, 20, 22, 24, 26, 28, 30, 32}
	l := stats.TheilSen(x, y)
	fmt.Printf("slope %.1f (95%% CI %.1f…%.1f), intercept %.1f\n", l.Slope, l.SlopeLow, l.SlopeHigh, l.Intercept)
	// Output: slope 2.0 (95% CI 2.0…2.0), intercept 10.0
}

// benchstat-style comparison: too few samples give a warning, not an
// error.
func ExampleMannWhitney() {
	a := []float64{100, 102, 101, 99, 100.5, 103}
	b := []float64{70, 71, 69, 72, 70.5, 68}
	t := stats.MannWhitney(a, b)
	hl := stats.HodgesLehmann(a, b)
	fmt.Printf("p=%.3f shift %.1f (%.1f…%.1f)\n", t.P, hl.Center, hl.Low, hl.High)
	fmt.Println(stats.MannWhitney(a[:3], b[:3]).Warnings[0])
	// Output:
	// p=0.002 shift -31.0 (-33.0…-29.0)
	// too few samples: need >= 4 samples to detect a difference at alpha level 0.05, have 3 and 3
}
