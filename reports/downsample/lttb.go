package downsample

import "math"

// LTTB downsamples (xs[i], ys[i]) to at most threshold points with Steinarsson's
// Largest-Triangle-Three-Buckets: the first and last points are kept, and each
// bucket in between keeps the point that makes the largest triangle with the
// point kept before it and the mean of the next bucket. It keeps a line's
// shape with one point per bucket, half of what MinMax needs, but may drop a
// one-sample spike that MinMax keeps. NaN values are dropped first. Series of
// threshold points or fewer, and thresholds under 3, return a copy.
func LTTB(xs, ys []float64, threshold int) (ox, oy []float64) {
	n := min(len(xs), len(ys))
	px, py := make([]float64, 0, n), make([]float64, 0, n)
	for i := range n {
		if !math.IsNaN(ys[i]) {
			px, py = append(px, xs[i]), append(py, ys[i])
		}
	}
	n = len(px)
	if threshold < 3 || n <= threshold {
		return px, py
	}
	ox, oy = make([]float64, 0, threshold), make([]float64, 0, threshold)
	ox, oy = append(ox, px[0]), append(oy, py[0])
	every := float64(n-2) / float64(threshold-2)
	a := 0
	for b := range threshold - 2 {
		// the next bucket's mean
		nlo, nhi := int(float64(b+1)*every)+1, min(int(float64(b+2)*every)+1, n)
		var mx, my float64
		for i := nlo; i < nhi; i++ {
			mx += px[i]
			my += py[i]
		}
		if cnt := float64(nhi - nlo); cnt > 0 {
			mx, my = mx/cnt, my/cnt
		} else {
			mx, my = px[n-1], py[n-1]
		}
		lo, hi := int(float64(b)*every)+1, int(float64(b+1)*every)+1
		best, area := lo, -1.0
		for i := lo; i < hi; i++ {
			s := math.Abs((px[a]-mx)*(py[i]-py[a]) - (px[a]-px[i])*(my-py[a]))
			if s > area {
				best, area = i, s
			}
		}
		ox, oy = append(ox, px[best]), append(oy, py[best])
		a = best
	}
	ox, oy = append(ox, px[n-1]), append(oy, py[n-1])
	return ox, oy
}
