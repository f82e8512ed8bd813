package downsample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i)
	}
	return out
}

func TestColumns(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		cols    [][]float64
		buckets int
		wantX   []float64
		want    [][]float64
	}{
		// short input comes back unchanged, NaN included
		{"short", [][]float64{{1, nan, 3}}, 2, []float64{0, 1, 2}, [][]float64{{1, nan, 3}}},
		// 8 rows in 2 buckets: rows at each bucket's first and last x; each
		// column keeps its extremes in time order (the spike at 6 survives,
		// the dip before the peak in the second column stays first)
		{"extremes in order", [][]float64{{5, 4, 6, 5, 5, 5, 90, 5}, {1, 9, 0, 3, 3, 3, 3, 3}}, 2,
			[]float64{0, 3, 4, 7}, [][]float64{{4, 6, 5, 90}, {9, 0, 3, 3}}},
		// a column with no value in a bucket keeps the gap
		{"gap", [][]float64{{nan, nan, nan, nan, 1, 2, 3, 4}}, 2, []float64{0, 3, 4, 7}, [][]float64{{nan, nan, 1, 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gx, gc := Columns(seq(len(tc.cols[0])), tc.cols, tc.buckets)
			require.Equal(t, tc.wantX, gx)
			require.Len(t, gc, len(tc.want))
			for j := range tc.want {
				require.True(t, slices.EqualFunc(tc.want[j], gc[j], func(a, b float64) bool {
					return a == b || math.IsNaN(a) && math.IsNaN(b)
				}), "column %d: got %v want %v", j, gc[j], tc.want[j])
			}
		})
	}
}

// A day of one-second samples in 1,000 buckets: at most 2,000 rows, x
// increasing, and every column's global minimum and maximum kept exactly.
func TestColumnsKeepsExtremes(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	n := 86400
	cols := make([][]float64, 3)
	for j := range cols {
		cols[j] = make([]float64, n)
		for i := range n {
			cols[j][i] = r.NormFloat64() + float64(i)*float64(j)/1000
		}
	}
	cols[0][12345] = 1e6 // a one-second spike
	gx, gc := Columns(seq(n), cols, 1000)
	require.LessOrEqual(t, len(gx), 2000)
	require.True(t, slices.IsSorted(gx))
	for j := range cols {
		require.Len(t, gc[j], len(gx))
		require.Equal(t, slices.Max(cols[j]), slices.Max(gc[j]), "column %d max", j)
		require.Equal(t, slices.Min(cols[j]), slices.Min(gc[j]), "column %d min", j)
	}
}

func TestLTTB(t *testing.T) {
	t.Parallel()
	// short series, and NaN dropped
	gx, gy := LTTB(seq(4), []float64{1, math.NaN(), 3, 4}, 10)
	require.Equal(t, []float64{0, 2, 3}, gx)
	require.Equal(t, []float64{1, 3, 4}, gy)
	// a long series keeps its ends and the threshold, and a lone wide peak
	n := 10000
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = math.Sin(float64(i) / 500)
	}
	ys[5000] = 50
	gx, gy = LTTB(seq(n), ys, 200)
	require.Len(t, gx, 200)
	require.Equal(t, 0.0, gx[0])
	require.Equal(t, float64(n-1), gx[len(gx)-1])
	require.True(t, slices.IsSorted(gx))
	require.Contains(t, gy, 50.0, "the peak makes the largest triangle of its bucket")
}
