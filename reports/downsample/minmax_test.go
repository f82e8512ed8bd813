package downsample

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMinMax(t *testing.T) {
	t.Parallel()
	xs := func(n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(i)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		ys      []float64
		buckets int
		wantX   []float64
		wantY   []float64
	}{
		// short series come back unchanged
		{"short", []float64{3, 1, 2}, 2, []float64{0, 1, 2}, []float64{3, 1, 2}},
		// NaN (a missing metric) is dropped, not drawn as zero
		{"nan dropped", []float64{1, math.NaN(), 2}, 2, []float64{0, 2}, []float64{1, 2}},
		// 8 points in 2 buckets: each keeps its min and max in x order, so the spike at 6 survives
		{"spike kept", []float64{5, 4, 6, 5, 5, 5, 90, 5}, 2, []float64{1, 2, 4, 6}, []float64{4, 6, 5, 90}},
		// a flat bucket keeps one point
		{"flat bucket", []float64{1, 1, 1, 1, 1, 1, 2, 3}, 2, []float64{0, 4, 7}, []float64{1, 1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gx, gy := MinMax(xs(len(tc.ys)), tc.ys, tc.buckets)
			require.Equal(t, tc.wantX, gx)
			require.Equal(t, tc.wantY, gy)
		})
	}
}

// A day of one-second samples stays within 2*buckets points.
func TestMinMaxBound(t *testing.T) {
	t.Parallel()
	n := 86400
	x, y := make([]float64, n), make([]float64, n)
	for i := range n {
		x[i], y[i] = float64(i), math.Sin(float64(i))
	}
	gx, _ := MinMax(x, y, 0)
	require.LessOrEqual(t, len(gx), 2*DefaultBuckets)
	require.Greater(t, len(gx), DefaultBuckets)
}
