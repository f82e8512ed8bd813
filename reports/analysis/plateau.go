package analysis

import (
	"math"

	"github.com/soaklab/soaklab/reports/stats"
)

// MinSegmentShare is the smallest share of the measured series on each
// side of a change point: the recent segment must hold a quarter of the
// window so that its slope interval speaks for the series' end, not for a
// few samples the search picked because their noise looked flat.
const MinSegmentShare = 0.25

// Change is where the measured memory's growth changed most: the break of
// the two-segment least-squares fit (the two lines fitted separately, the
// break minimising their summed squared residuals), with the Theil–Sen
// lines before and after it. The judge reads "growth stopped at At" when
// Before grows significantly faster than Recent and Recent does not grow
// significantly above its floor; the oom-risk projection then starts from
// Recent.
type Change struct {
	At             float64 // seconds: t of the first sample of the recent segment
	Before, Recent stats.Line
}

// changePoint finds the break in s (reduced to MaxFitPoints first); false
// when s is too short for two segments of MinSegmentShare each with
// stats.MinFitSamples points.
func changePoint(s series) (Change, bool) {
	s = reduce(s, MaxFitPoints)
	n := s.len()
	minSeg := max(stats.MinFitSamples, int(math.Ceil(MinSegmentShare*float64(n))))
	if n < 2*minSeg {
		return Change{}, false
	}
	// Prefix sums of t, y, t², ty, y² for O(1) least squares of any span.
	p := make([][5]float64, n+1)
	for i := range n {
		t, y := s.t[i], s.y[i]
		p[i+1] = [5]float64{p[i][0] + t, p[i][1] + y, p[i][2] + t*t, p[i][3] + t*y, p[i][4] + y*y}
	}
	sse := func(lo, hi int) float64 {
		m := float64(hi - lo)
		var d [5]float64
		for j := range d {
			d[j] = p[hi][j] - p[lo][j]
		}
		stt := d[2] - d[0]*d[0]/m
		sty := d[3] - d[0]*d[1]/m
		syy := d[4] - d[1]*d[1]/m
		if stt <= 0 {
			return syy
		}
		return syy - sty*sty/stt
	}
	best, bestK := math.Inf(1), -1
	for k := minSeg; k <= n-minSeg; k++ {
		if v := sse(0, k) + sse(k, n); v < best {
			best, bestK = v, k
		}
	}
	if bestK < 0 {
		return Change{}, false
	}
	return Change{
		At:     s.t[bestK],
		Before: stats.TheilSen(s.t[:bestK], s.y[:bestK]),
		Recent: stats.TheilSen(s.t[bestK:], s.y[bestK:]),
	}, true
}
