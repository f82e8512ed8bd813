package render_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/history"
	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/plot"
	"github.com/soaklab/soaklab/reports/render"
)

// histChart is one interactive plot of the history page, as its script
// drew it.
type histChart struct {
	Title  string      `json:"title"`
	Cell   string      `json:"cell"`
	X      []float64   `json:"x"`
	Y      []*float64  `json:"y"`
	Ticks  [][]string  `json:"ticks"`
	XMin   float64     `json:"xmin"`
	XMax   float64     `json:"xmax"`
	Left   float64     `json:"left"` // the plotting area, in CSS pixels of the page
	Top    float64     `json:"top"`
	Width  float64     `json:"width"`
	Height float64     `json:"height"`
	Marks  []histMarkJ `json:"marks"`
}

type histMarkJ struct {
	I     int    `json:"i"`
	Label string `json:"label"`
}

const histJS = `window.soaklabHistory.map(h => { const u = h.u, r = u.over.getBoundingClientRect();
	return {title: h.title, cell: h.cell, x: h.data.x, y: h.data.y, marks: h.data.marks || [], ticks: u.ticks,
		xmin: u.scales.x.min, xmax: u.scales.x.max,
		left: r.left + scrollX, top: r.top + scrollY, width: r.width, height: r.height}; })`

// TestBrowserHistory opens the history page of twenty nightly runs, whose
// first cell's peak steps up by 60 % on the thirteenth night, from file:// in
// headless chromium with the network off: every plot is interactive, its
// x axis labelled with dates and its y ticks without float noise, a hover
// shows the night's date and value, a drag zooms into the nights dragged
// across and a double-click zooms out.
func TestBrowserHistory(t *testing.T) {
	t.Parallel()
	browser := startBrowser(t)
	root := t.TempDir()
	const nights, stepAt = 20, 12
	for i := range nights {
		dir := filepath.Join(root, fmt.Sprintf("night-%02d", i))
		require.NoError(t, fixture.Synthetic(dir, 2, 60, fixture.Start.Add(time.Duration(i)*24*time.Hour)))
		r, err := results.ReadRun(dir)
		require.NoError(t, err)
		r.Cells[0].Analysis.Peak.Bytes *= 1 + 0.01*float64(i%3) // night-to-night noise
		if i >= stepAt {
			r.Cells[0].Analysis.Peak.Bytes *= 1.6
		}
		require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), r))
		if i == stepAt { // the report a click on that night opens
			_, err := render.Run(dir, render.Now(genTime))
			require.NoError(t, err)
		}
	}
	outDir := t.TempDir()
	require.NoError(t, history.Render(root, outDir, history.Now(genTime)))

	step, onlyLocal := offlineTab(t, browser, "file://"+filepath.Join(outDir, history.File))
	charts, err := chromedp.Run(step, chromedp.Evaluate[[]histChart](histJS))
	require.NoError(t, err)
	require.Len(t, charts, 2*4, "2 cells, 4 metrics each, drawn interactive with the network off")
	hidden, err := chromedp.Run(step, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('figure.live > svg.chart')).filter(s => getComputedStyle(s).display === 'none').length`))
	require.NoError(t, err)
	require.Equal(t, 2*4, hidden, "each SVG gives way to its interactive plot")

	date := regexp.MustCompile(`^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}( \d\d:\d\d)?$`)
	for _, c := range charts {
		require.Len(t, c.Ticks, 2, c.Title)
		require.NotEmpty(t, c.Ticks[0], c.Title)
		for _, l := range c.Ticks[0] {
			require.Regexp(t, date, l, "a date on the x axis of %s", c.Title)
		}
		for _, l := range c.Ticks[1] {
			require.LessOrEqual(t, plot.Significant(l), plot.MaxSignificant, "%q on %s", l, c.Title)
		}
		require.Len(t, c.X, nights)
	}
	var peak histChart
	for _, c := range charts {
		if c.Title == "peak memory" && peak.Title == "" {
			peak = c
		}
	}
	require.Equal(t, "peak memory", peak.Title)
	require.NotEmpty(t, peak.Marks, "the step found")
	require.Equal(t, stepAt, peak.Marks[0].I, "on its first night")
	shoot(step, t, "history-live.png", chromedp.CaptureScreenshot())

	_, err = chromedp.Run(step, chromedp.Evaluate[bool](fmt.Sprintf(`(window.scrollTo(0, %f), true)`, peak.Top-150)))
	require.NoError(t, err)
	scrollY, err := chromedp.Run(step, chromedp.Evaluate[float64](`scrollY`))
	require.NoError(t, err)
	y := peak.Top - scrollY + peak.Height/2
	posOf := func(i int) float64 { // a night's x on the page
		return peak.Left + (peak.X[i]-peak.XMin)/(peak.XMax-peak.XMin)*peak.Width
	}

	t.Run("hover", func(t *testing.T) {
		night := 4
		require.NoError(t, chromedp.Do(step, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, posOf(night), y)))
		type hover struct {
			Idx    int      `json:"idx"`
			Legend []string `json:"legend"`
		}
		h, err := chromedp.Run(step, chromedp.Evaluate[hover](`(() => { const u = window.soaklabHistory.find(h => h.title === "peak memory").u;
			return {idx: u.cursor.idx, legend: Array.from(u.root.querySelectorAll('.u-legend .u-value')).map(e => e.textContent)}; })()`))
		require.NoError(t, err)
		require.Equal(t, night, h.Idx, "the cursor on the night hovered")
		when := time.Unix(int64(peak.X[night]), 0).UTC().Format("2006-01-02 15:04")
		require.Equal(t, when, h.Legend[0], "the night's date")
		require.Contains(t, h.Legend[1], "MiB")
		var shown float64
		_, err = fmt.Sscanf(h.Legend[1], "%g", &shown)
		require.NoError(t, err)
		require.InDelta(t, *peak.Y[night], shown, 0.01**peak.Y[night], "legend %q shows the night's value", h.Legend[1])
		shoot(step, t, "history-hover.png", chromedp.CaptureScreenshot())
	})

	t.Run("drag zooms, double-click zooms out", func(t *testing.T) {
		// from halfway between nights 2 and 3 to halfway between 8 and 9
		x0, x1 := (posOf(2)+posOf(3))/2, (posOf(8)+posOf(9))/2
		require.NoError(t, chromedp.Do(step,
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0, y),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (x0+x1)/2, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x1, y, chromedp.ButtonLeft)))
		after, err := chromedp.Run(step, chromedp.Evaluate[[]histChart](histJS))
		require.NoError(t, err)
		z := after[0]
		for _, c := range after {
			if c.Cell == peak.Cell && c.Title == peak.Title {
				z = c
			}
		}
		px := 2 * (peak.XMax - peak.XMin) / peak.Width // two pixels
		require.InDelta(t, (peak.X[2]+peak.X[3])/2, z.XMin, px, "zoomed from the night dragged from")
		require.InDelta(t, (peak.X[8]+peak.X[9])/2, z.XMax, px, "to the night dragged to")
		for _, l := range z.Ticks[0] {
			require.Regexp(t, date, l)
		}
		shoot(step, t, "history-zoomed.png", chromedp.CaptureScreenshot())
		// A drag is not a click: the page stays.
		loc, err := chromedp.Run(step, chromedp.Evaluate[string](`location.pathname`))
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(loc, "/"+history.File), loc)

		require.NoError(t, chromedp.Do(step, chromedp.MouseClickXY(posOf(5), y, chromedp.ClickCount(2))))
		// past the moment a single click would have opened a report
		_, err = chromedp.Run(step, chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 600))`, chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		back, err := chromedp.Run(step, chromedp.Evaluate[[]histChart](histJS))
		require.NoError(t, err)
		for _, c := range back {
			if c.Cell == peak.Cell && c.Title == peak.Title {
				require.InDelta(t, peak.XMin, c.XMin, 1, "zoomed out")
				require.InDelta(t, peak.XMax, c.XMax, 1, "zoomed out")
			}
		}
	})

	t.Run("a click opens the night's report", func(t *testing.T) {
		require.NoError(t, chromedp.Do(step, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, posOf(stepAt), y)))
		link, err := chromedp.Run(step, chromedp.Evaluate[string](`(() => { const h = window.soaklabHistory.find(h => h.title === "peak memory"); return h.data.links[h.u.cursor.idx]; })()`))
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(link, fmt.Sprintf("night-%02d/report/index.html", stepAt)), "the cursor on the night of the step: %s", link)
		require.NoError(t, chromedp.Do(step, chromedp.MouseClickXY(posOf(stepAt), y)))
		require.NoError(t, chromedp.Do(step, chromedp.Sleep(time.Second), chromedp.WaitReady("body")))
		loc, err := chromedp.Run(step, chromedp.Evaluate[string](`location.href`))
		require.NoError(t, err)
		require.Equal(t, "file://"+filepath.ToSlash(filepath.Join(root, fmt.Sprintf("night-%02d", stepAt), "report", "index.html")), loc)
	})

	onlyLocal()
}
