package downsample

import "math"

// DefaultBuckets is how many buckets MinMax keeps when a chart is not told
// otherwise: each bucket keeps its minimum and its maximum, so a chart holds
// at most 2*DefaultBuckets points per series whatever the run's length.
const DefaultBuckets = 200

// MinMax downsamples the series (xs[i], ys[i]) into at most 2*buckets points:
// it splits the x range into buckets of equal count and keeps, in x order, the
// lowest and the highest point of each. Peaks and troughs survive, which is
// what matters for memory (a peak is an OOM risk, a trough shows retention).
// NaN values are dropped. Series already small enough are returned as they
// are (copied). buckets < 1 means DefaultBuckets.
func MinMax(xs, ys []float64, buckets int) (ox, oy []float64) {
	if buckets < 1 {
		buckets = DefaultBuckets
	}
	n := min(len(xs), len(ys))
	if n <= 2*buckets {
		ox = make([]float64, 0, n)
		oy = make([]float64, 0, n)
		for i := range n {
			if math.IsNaN(ys[i]) {
				continue
			}
			ox = append(ox, xs[i])
			oy = append(oy, ys[i])
		}
		return ox, oy
	}
	ox = make([]float64, 0, 2*buckets)
	oy = make([]float64, 0, 2*buckets)
	for b := range buckets {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		iMin, iMax := -1, -1
		for i := lo; i < hi; i++ {
			if math.IsNaN(ys[i]) {
				continue
			}
			if iMin < 0 || ys[i] < ys[iMin] {
				iMin = i
			}
			if iMax < 0 || ys[i] > ys[iMax] {
				iMax = i
			}
		}
		switch {
		case iMin < 0:
			continue
		case iMin == iMax:
			ox, oy = append(ox, xs[iMin]), append(oy, ys[iMin])
		case iMin < iMax:
			ox, oy = append(ox, xs[iMin], xs[iMax]), append(oy, ys[iMin], ys[iMax])
		default:
			ox, oy = append(ox, xs[iMax], xs[iMin]), append(oy, ys[iMax], ys[iMin])
		}
	}
	return ox, oy
}
