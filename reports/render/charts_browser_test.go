package render_test

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/plot"
	"github.com/soaklab/soaklab/reports/render"
	"github.com/soaklab/soaklab/reports/view"
)

// liveChart is what the page's script exposes of one interactive chart.
type liveChart struct {
	Cell   string     `json:"cell"`
	Title  string     `json:"title"`
	Ticks  [][]string `json:"ticks"`
	Wall   []string   `json:"wall"` // the wall-clock axis above a long cell's charts
	XMin   float64    `json:"xmin"`
	XMax   float64    `json:"xmax"`
	YMin   float64    `json:"ymin"`
	YMax   float64    `json:"ymax"`
	Series []struct {
		Name   string     `json:"name"`
		Values []*float64 `json:"values"`
	} `json:"series"`
	X      []float64 `json:"x"`
	Hidden []string  `json:"hidden"`
	Left   float64   `json:"left"` // the plot area in page coordinates
	Top    float64   `json:"top"`
	Width  float64   `json:"width"`
	Height float64   `json:"height"`
}

const chartsJS = `window.soaklabCharts.map(c => {
	const u = c.u, r = u.over.getBoundingClientRect();
	return {cell: c.cell, title: c.title, ticks: u.ticks, wall: u.wallTicks || [], xmin: u.scales.x.min, xmax: u.scales.x.max, ymin: u.scales.y.min, ymax: u.scales.y.max,
		series: u.series.slice(1).map((s, i) => ({name: s.label, values: u.data[i+1]})), x: u.data[0], hidden: c.spec.hidden || [],
		left: r.left + scrollX, top: r.top + scrollY, width: r.width, height: r.height};
})`

// TestBrowserCharts opens a report of the charts that used to hide their
// problem, from file:// with the network off, and checks what a reader
// sees: clean ticks, memory scaled to the data, the OOM kill at the peak
// after every sample, drag to zoom, hover values, anchors that land on
// their cell. Screenshots go to the artifacts.
func TestBrowserCharts(t *testing.T) {
	t.Parallel()
	browser := startBrowser(t)
	dir := t.TempDir()
	require.NoError(t, fixture.Problems(dir))
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)

	step, onlyLocal := offlineTab(t, browser, "file://"+out.Report)
	charts, err := chromedp.Run(step, chromedp.Evaluate[[]liveChart](chartsJS))
	require.NoError(t, err)
	require.NotEmpty(t, charts, "the interactive charts were drawn with the network off")

	t.Run("ticks", func(t *testing.T) {
		for _, c := range charts {
			require.Len(t, c.Ticks, 2, "%s %s", c.Cell, c.Title)
			for _, axis := range c.Ticks {
				require.NotEmpty(t, axis)
				for _, l := range axis {
					require.LessOrEqual(t, plot.Significant(l), plot.MaxSignificant, "%q on %s of %s", l, c.Title, c.Cell)
				}
			}
		}
		svgTicks, err := chromedp.Run(step, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('svg.chart text')).map(t => t.textContent).filter(s => /^-?[0-9.,]+[kMG]?$/.test(s))`))
		require.NoError(t, err)
		require.NotEmpty(t, svgTicks)
		for _, l := range svgTicks {
			require.LessOrEqual(t, plot.Significant(l), plot.MaxSignificant, "SVG tick %q", l)
		}
	})

	find := func(cell, title string) liveChart {
		for _, c := range charts {
			if c.Cell == view.Anchor(cell) && c.Title == title {
				return c
			}
		}
		t.Fatalf("no chart %q in %s", title, cell)
		return liveChart{}
	}
	series := func(c liveChart, prefix string) []*float64 {
		for _, s := range c.Series {
			if strings.HasPrefix(s.Name, prefix) {
				return s.Values
			}
		}
		t.Fatalf("no series %q on %s", prefix, c.Title)
		return nil
	}

	t.Run("memory scaled to the data", func(t *testing.T) {
		c := find(fixture.ProblemLeak, "Target memory")
		top := 0.0
		for _, v := range series(c, "cgroup working set") {
			if v != nil {
				top = max(top, *v)
			}
		}
		require.InDelta(t, 27, top, 0.1)
		require.GreaterOrEqual(t, c.YMax, top, "covers the data")
		require.Less(t, c.YMax, 2*top, "not scaled to the 256 MiB limit")
		require.Equal(t, []string{"memory limit 256 MiB"}, c.Hidden, "the limit is named above the scale")
		for _, other := range charts {
			if other.Cell == c.Cell {
				require.NotContains(t, strings.Join(seriesNames(other), ","), "driver", "soaklab's own memory is not on the target's chart")
			}
		}
	})

	t.Run("OOM kill at the peak after every sample", func(t *testing.T) {
		c := find(fixture.ProblemOOM, "Target memory")
		rss := series(c, "target RSS")
		var got []float64
		for _, v := range rss {
			if v != nil {
				got = append(got, math.Round(*v))
			}
		}
		require.Equal(t, []float64{10, 30, 50}, got, "every sample before the kill")
		kill := series(c, "OOM kill")
		n := 0
		for i, v := range kill {
			if v != nil {
				n++
				require.InDelta(t, 64, *v, 0.01, "the kill at the cgroup's peak")
				require.InDelta(t, 3, c.X[i], 0.01, "the kill when it was seen")
			}
		}
		require.Equal(t, 1, n)
		require.Equal(t, 0.0, c.XMin)
		require.InDelta(t, 3, c.XMax, 0.01, "the axis runs from 0 to the kill")
		require.GreaterOrEqual(t, c.YMax, 64.0)
		shoot(step, t, "charts-oom-cell.png", chromedp.Screenshot(chromedp.CSS(`[id="`+view.Anchor(fixture.ProblemOOM)+`"]`)))
	})

	t.Run("hours on a long cell", func(t *testing.T) {
		c := find(fixture.ProblemLong, "Target memory")
		require.Equal(t, []string{"0", "1", "2", "3", "4", "5"}, c.Ticks[0], "hours, not 21,600 s")
		// wall-clock time above: the cell started at 02:00 UTC
		require.Equal(t, []string{"02:00 UTC", "03:00", "04:00", "05:00", "06:00", "07:00"}, c.Wall, "UTC hours above")
		for _, o := range charts {
			if o.Cell != c.Cell {
				require.Empty(t, o.Wall, "%s: no wall-clock axis on a short cell", o.Cell)
			}
		}
		shoot(step, t, "charts-long-cell.png", chromedp.Screenshot(chromedp.CSS(`[id="`+view.Anchor(fixture.ProblemLong)+`"]`)))
	})

	t.Run("hover and drag", func(t *testing.T) {
		c := find(fixture.ProblemLeak, "Target memory")
		_, err := chromedp.Run(step, chromedp.Evaluate[bool](fmt.Sprintf(`(window.scrollTo(0, %f), true)`, c.Top-100)))
		require.NoError(t, err)
		scrollY, err := chromedp.Run(step, chromedp.Evaluate[float64](`scrollY`))
		require.NoError(t, err)
		y := c.Top - scrollY + c.Height/2
		// hover in the middle: the legend shows the value under the cursor
		require.NoError(t, chromedp.Do(step, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, c.Left+c.Width/2, y)))
		type hover struct {
			Idx    int      `json:"idx"`
			Legend []string `json:"legend"`
		}
		h, err := chromedp.Run(step, chromedp.Evaluate[hover](fmt.Sprintf(`(() => { const c = window.soaklabCharts.find(c => c.cell === %q && c.title === "Target memory");
			return {idx: c.u.cursor.idx, legend: Array.from(c.u.root.querySelectorAll('.u-legend .u-value')).map(e => e.textContent)}; })()`, c.Cell)))
		require.NoError(t, err)
		require.Greater(t, h.Idx, 0, "the cursor is on a sample")
		want := *series(c, "target RSS")[h.Idx]
		require.Contains(t, h.Legend[1], "MiB")
		var shown float64
		_, err = fmt.Sscanf(h.Legend[1], "%g", &shown)
		require.NoError(t, err)
		require.InDelta(t, want, shown, 0.01, "legend %q shows the value under the cursor", h.Legend[1])
		at := fixture.Start.Add(time.Duration(c.X[h.Idx] * float64(time.Second))).Format("15:04:05")
		require.Contains(t, h.Legend[0], "("+at+" UTC)", "the time under the cursor, on the wall clock too")
		shoot(step, t, "charts-hover.png", chromedp.CaptureScreenshot()) // the window as it is: the cursor still on the chart
		// drag from 30 % to 60 % of the width: the cell's charts zoom to it
		x0, x1 := c.Left+0.3*c.Width, c.Left+0.6*c.Width
		require.NoError(t, chromedp.Do(step,
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0, y),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (x0+x1)/2, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x1, y, chromedp.ButtonLeft)))
		after, err := chromedp.Run(step, chromedp.Evaluate[[]liveChart](chartsJS))
		require.NoError(t, err)
		span := c.XMax - c.XMin
		for _, a := range after {
			if a.Cell != c.Cell {
				continue
			}
			require.InDelta(t, c.XMin+0.3*span, a.XMin, 0.03*span, "%s zoomed", a.Title)
			require.InDelta(t, c.XMin+0.6*span, a.XMax, 0.03*span, "%s zoomed", a.Title)
		}
		shoot(step, t, "charts-zoomed.png", chromedp.Screenshot(chromedp.CSS(`[id="`+view.Anchor(fixture.ProblemLeak)+`"]`)))
	})

	t.Run("anchors land on their cell", func(t *testing.T) {
		for _, id := range []string{fixture.ProblemLong, fixture.ProblemOOM} {
			u := "file://" + out.Report + "#" + url.PathEscape(view.Anchor(id))
			require.NoError(t, chromedp.Do(step, chromedp.Navigate(u), chromedp.WaitReady("body")))
			_, err := chromedp.Run(step, chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 300))`, chromedp.EvalAwaitPromise))
			require.NoError(t, err)
			top, err := chromedp.Run(step, chromedp.Evaluate[float64](fmt.Sprintf(`document.getElementById(%q).getBoundingClientRect().top`, view.Anchor(id))))
			require.NoError(t, err)
			require.InDelta(t, 0, top, 40, "%s: its section at the top of the window", id)
			if id == fixture.ProblemLong {
				shoot(step, t, "charts-anchor.png", chromedp.CaptureScreenshot())
			}
		}
	})

	onlyLocal()
}

func seriesNames(c liveChart) []string {
	var out []string
	for _, s := range c.Series {
		out = append(out, s.Name)
	}
	return out
}
