package plot

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// SVG is deterministic, inline-ready and labelled; an empty chart is ErrEmpty.
func TestSVG(t *testing.T) {
	t.Parallel()
	c := Chart{Title: `RSS "a" <b>`, Time: true, Series: []Series{{Name: "rss", X: []float64{0, 1, 2}, Y: []float64{1, 2, 3}}},
		HLines: []HLine{{Name: "limit", Y: 4}}, Marks: []Mark{{Label: "OOM kill", X: 2, Y: 3}}}
	a, err := SVG(c)
	require.NoError(t, err)
	b, err := SVG(c)
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.Regexp(t, `^<svg role="img" aria-label="RSS &#34;a&#34; &lt;b&gt;" class="chart"`, string(a))
	require.Contains(t, string(a), "OOM kill")
	_, err = SVG(Chart{Title: "none", Series: []Series{{Name: "x", X: []float64{0}, Y: []float64{math.NaN()}}}})
	require.ErrorIs(t, err, ErrEmpty)
}

// Ranges scale y to the data: a limit within OffScale of the data is
// covered, one far above is hidden (named in a note); a time chart starts at
// 0 and reaches XMax; one sample still gets a usable axis.
func TestRanges(t *testing.T) {
	t.Parallel()
	leak := Series{Name: "rss", X: []float64{0, 60, 120}, Y: []float64{7, 16, 25}}
	for _, tc := range []struct {
		name       string
		c          Chart
		xMax, yMax float64
		hidden     int
	}{
		// 7 → 25 MiB under 256 MiB: y ends near 25, the limit is hidden
		{"far limit", Chart{Time: true, Series: []Series{leak}, HLines: []HLine{{Name: "limit", Y: 256}}}, 120, 30, 1},
		// a limit just above the data is drawn and covered
		{"near limit", Chart{Time: true, Series: []Series{leak}, HLines: []HLine{{Name: "limit", Y: 32}}}, 120, 35, 0},
		// one sample at t=0 and the kill at 3 s and 128 MiB
		{"one sample", Chart{Time: true, Series: []Series{{Name: "rss", X: []float64{0}, Y: []float64{5}}},
			Marks: []Mark{{Label: "OOM kill", X: 3, Y: 128}}, HLines: []HLine{{Name: "limit", Y: 128}}}, 3, 140, 0},
		// nothing but a sample at 0: the axis is 0..1 s, not -0.8..0.8
		{"lone point", Chart{Time: true, Series: []Series{{Name: "rss", X: []float64{0}, Y: []float64{5}}}}, 1, 6, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, ok := tc.c.Ranges()
			require.True(t, ok)
			require.Equal(t, 0.0, r.XMin)
			require.Equal(t, tc.xMax, r.XMax)
			require.Equal(t, 0.0, r.YMin)
			require.InDelta(t, tc.yMax, r.YMax, 1e-9)
			require.Len(t, r.Hidden, tc.hidden)
		})
	}
}

// The SVG of a leak far under its limit: the limit is named as off scale,
// the title carries the metric's name, and no tick label is float noise.
func TestSVGOffScaleAndTitle(t *testing.T) {
	t.Parallel()
	c := Chart{Title: "Goroutines", Metric: "go_goroutines", Time: true,
		Series: []Series{{Name: "goroutines", X: []float64{0, 1.6, 2.8}, Y: []float64{7, 16, 25}}},
		HLines: []HLine{{Name: "memory limit 256 MiB", Y: 256}}}
	svg, err := SVG(c)
	require.NoError(t, err)
	s := string(svg)
	require.Contains(t, s, "memory limit 256 MiB (above this scale)")
	require.Contains(t, s, ">go_goroutines<")
	require.NotContains(t, s, "0000000")
}
