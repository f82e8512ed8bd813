package render_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/history"
	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/render"
)

// findChromium returns the browser to drive: $SOAKLAB_CHROMIUM, else the
// first of Debian's chromium and its usual other names on PATH.
func findChromium() string {
	if p := os.Getenv("SOAKLAB_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifactDir is where screenshots go: $SOAKLAB_ARTIFACTS when set (CI
// uploads it), else the test's artifact directory (kept with
// `go test -artifacts`).
func artifactDir(t *testing.T) string {
	if d := os.Getenv("SOAKLAB_ARTIFACTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.ArtifactDir()
}

// startBrowser launches headless chromium with a fresh profile and nothing
// that reaches the network. Without chromium it skips, unless
// SOAKLAB_REQUIRE_BROWSER=1 (CI), where it fails.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		if os.Getenv("SOAKLAB_REQUIRE_BROWSER") == "1" {
			t.Fatal("no chromium found (install Debian's chromium package, or set SOAKLAB_CHROMIUM) and SOAKLAB_REQUIRE_BROWSER=1")
		}
		t.Skip("no chromium found: install Debian's chromium package or set SOAKLAB_CHROMIUM; SOAKLAB_REQUIRE_BROWSER=1 makes this a failure")
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// Start the browser on a context without a timeout: the first Run owns it.
	require.NoError(t, chromedp.Do(ctx), "start %s", bin)
	return ctx
}

// plotsJS measures every chart a reader sees: the interactive chart of a
// figure the script enhanced (its canvas), else the figure's SVG.
const plotsJS = `Array.from(document.querySelectorAll('svg.chart')).map(s => {
	const fig = s.closest('figure');
	if (fig && fig.classList.contains('live')) {
		const c = fig.querySelector('.live-chart canvas'), r = c ? c.getBoundingClientRect() : {width: 0, height: 0};
		return {label: s.getAttribute('aria-label') || '', w: r.width, h: r.height};
	}
	const r = s.getBoundingClientRect(); return {label: s.getAttribute('aria-label') || '', w: r.width, h: r.height};
})`

type box struct {
	Label string  `json:"label"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
}

type row struct {
	Cell    string `json:"cell"`
	Verdict string `json:"verdict"`
}

// seen is what a reader gets from one page.
type seen struct {
	ctx      context.Context // the page's tab, still open
	plots    []box
	rows     []row    // scorecard rows (none on the history page)
	problems []string // console errors and uncaught exceptions
}

// offlineTab opens url in a new tab of the browser with the network off,
// recording every request the page makes. onlyLocal fails the test if any
// of them went beyond file:// and data: URLs.
func offlineTab(t *testing.T, browser context.Context, url string) (step context.Context, onlyLocal func()) {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(tab))
	var mu sync.Mutex
	var requests []string
	require.NoError(t, chromedp.Listen(tab, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}))
	step, cancelStep := context.WithTimeout(tab, 60*time.Second)
	t.Cleanup(cancelStep)
	_, err := chromedp.Call(step, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	_, err = chromedp.Call(step, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	require.NoError(t, err, "network off")
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(url), chromedp.WaitReady("body")))
	return step, func() {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for _, r := range requests {
			require.True(t, strings.HasPrefix(r, "file://") || strings.HasPrefix(r, "data:"), "the page asked the network for %s", r)
		}
	}
}

// open loads url in a new tab of the browser and reads its plots, its
// scorecard and its console.
func open(t *testing.T, browser context.Context, url string) seen {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(browser)
	t.Cleanup(cancelTab)
	require.NoError(t, chromedp.Do(tab))
	sub, stopConsole := context.WithCancel(tab)
	var (
		mu   sync.Mutex
		msgs []chromedp.ConsoleMessage
		done = make(chan struct{})
	)
	console := chromedp.Console(sub)
	go func() {
		defer close(done)
		for m, err := range console {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m)
			mu.Unlock()
		}
	}()
	step, cancelStep := context.WithTimeout(tab, 30*time.Second)
	t.Cleanup(cancelStep)
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(url), chromedp.WaitReady("body")), "open %s", url)
	var s seen
	var err error
	s.ctx = step
	s.plots, err = chromedp.Run(step, chromedp.Evaluate[[]box](plotsJS))
	require.NoError(t, err)
	s.rows, err = chromedp.Run(step, chromedp.Evaluate[[]row](`Array.from(document.querySelectorAll('table.scorecard tbody tr')).map(r => ({
		cell: r.querySelector('th a').title, verdict: r.querySelector('.badge').innerText.trim()}))`))
	require.NoError(t, err)
	// Let late messages arrive, then stop listening.
	_, err = chromedp.Run(step, chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 200))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	stopConsole()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for _, m := range msgs {
		if m.IsException() || m.Type == "error" {
			s.problems = append(s.problems, fmt.Sprintf("console %s: %s", m.Type, m))
		}
	}
	return s
}

// badPlots lists plots drawn with no size or no accessible name.
func badPlots(plots []box) []string {
	var out []string
	for i, b := range plots {
		if b.W <= 0 || b.H <= 0 || b.Label == "" {
			out = append(out, fmt.Sprintf("plot %d %q renders %.0fx%.0f", i, b.Label, b.W, b.H))
		}
	}
	return out
}

func shoot(ctx context.Context, t *testing.T, name string, a chromedp.Action[[]byte]) {
	t.Helper()
	data, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	p := filepath.Join(artifactDir(t), name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	t.Logf("screenshot: %s (%d bytes)", p, len(data))
}

// TestBrowser opens generated pages from file:// in headless chromium and
// checks what a reader sees: no console error or exception, every plot drawn
// with a non-zero size and an accessible name, every scorecard row with the
// verdict label the judge gave, the verdict filter working. It saves
// screenshots as test artifacts.
func TestBrowser(t *testing.T) {
	t.Parallel()
	browser := startBrowser(t)
	dir := copyRun(t, fixtureDir)
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	run, err := results.ReadRun(dir)
	require.NoError(t, err)
	pageHTML, err := os.ReadFile(out.Report)
	require.NoError(t, err)

	// The report as generated.
	t.Run("report", func(t *testing.T) {
		s := open(t, browser, "file://"+out.Report)
		require.Empty(t, s.problems)
		require.Len(t, s.plots, strings.Count(string(pageHTML), "<svg "), "every plot in the file is in the page")
		require.Empty(t, badPlots(s.plots))
		require.Len(t, s.rows, len(run.Cells))
		notGO := 0
		for i, c := range run.Cells {
			require.Equal(t, c.ID, s.rows[i].Cell, "scorecard row %d", i)
			require.Equal(t, string(c.Verdict), s.rows[i].Verdict, "scorecard label of %s", c.ID)
			if c.Verdict != results.GO {
				notGO++
			}
		}
		shoot(s.ctx, t, "report-top.png", chromedp.CaptureScreenshot())
		shoot(s.ctx, t, "report-full.jpg", chromedp.FullScreenshot(85))
		shoot(s.ctx, t, "report-leaky-cell.png", chromedp.Screenshot(chromedp.CSS(`article[id^="cell-leaky"]`)))
		shoot(s.ctx, t, "report-oom-cell.png", chromedp.Screenshot(chromedp.CSS(`article.cell.nogo`)))
		shoot(s.ctx, t, "report-safe.png", chromedp.Screenshot(chromedp.CSS(`#safe`)))
		shoot(s.ctx, t, "report-comparisons.png", chromedp.Screenshot(chromedp.CSS(`#comparisons`)))

		// Unticking GO in the filter hides exactly the GO rows.
		visible, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`(() => {
			const cb = document.querySelector('#filter input[value="GO"]'); cb.click();
			return Array.from(document.querySelectorAll('table.scorecard tbody tr')).filter(r => !r.hidden && r.offsetHeight > 0).length;
		})()`))
		require.NoError(t, err)
		require.Equal(t, notGO, visible)
	})

	// Printed on A4: the plots still render, the filter is not printed, and
	// the PDF is kept as an artifact.
	t.Run("print", func(t *testing.T) {
		s := open(t, browser, "file://"+out.Report)
		_, err := chromedp.Call(s.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		require.NoError(t, err)
		plots, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll('svg.chart')).map(s => {
			const r = s.getBoundingClientRect(); return {label: s.getAttribute('aria-label') || '', w: r.width, h: r.height};
		})`))
		require.NoError(t, err)
		require.Len(t, plots, len(s.plots))
		require.Empty(t, badPlots(plots))
		filterShown, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](`document.getElementById('filter').offsetHeight > 0`))
		require.NoError(t, err)
		require.False(t, filterShown, "the filter is screen-only")
		yes := true
		pdf, err := chromedp.Call(s.ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PrintBackground: &yes})
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(pdf.Data, []byte("%PDF")), "a PDF")
		p := filepath.Join(artifactDir(t), "report-print.pdf")
		require.NoError(t, os.WriteFile(p, pdf.Data, 0o644))
		t.Logf("printed: %s (%d bytes)", p, len(pdf.Data))
	})

	// Without script the static SVGs are the charts: every one drawn.
	t.Run("no script", func(t *testing.T) {
		tab, cancelTab := chromedp.NewContext(browser)
		t.Cleanup(cancelTab)
		step, cancelStep := context.WithTimeout(tab, 30*time.Second)
		t.Cleanup(cancelStep)
		require.NoError(t, chromedp.Do(step))
		_, err := chromedp.Call(step, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(step, chromedp.Navigate("file://"+out.Report), chromedp.WaitReady("body")))
		plots, err := chromedp.Run(step, chromedp.Evaluate[[]box](plotsJS))
		require.NoError(t, err)
		require.Len(t, plots, strings.Count(string(pageHTML), "<svg "))
		require.Empty(t, badPlots(plots))
		live, err := chromedp.Run(step, chromedp.Evaluate[int](`document.querySelectorAll('.live-chart').length`))
		require.NoError(t, err)
		require.Zero(t, live)
		shoot(step, t, "report-noscript.png", chromedp.Screenshot(chromedp.CSS(`article[id^="cell-leaky"]`)))
	})

	// The same checks catch a broken page: an uncaught exception and a plot
	// that does not render.
	t.Run("broken page is caught", func(t *testing.T) {
		broken := filepath.Join(t.TempDir(), "broken.html")
		bad := strings.Replace(string(pageHTML), "</body>",
			`<style>svg.chart:first-of-type, .live-chart{display:none}</style><script>throw new Error("boom")</script></body>`, 1)
		require.NoError(t, os.WriteFile(broken, []byte(bad), 0o644))
		s := open(t, browser, "file://"+broken)
		require.NotEmpty(t, s.problems)
		require.Contains(t, strings.Join(s.problems, "\n"), "boom")
		require.NotEmpty(t, badPlots(s.plots))
	})

	// The history page over four nightly runs, the last with a regression.
	t.Run("history", func(t *testing.T) {
		root := t.TempDir()
		for i := range 4 {
			dir := filepath.Join(root, fmt.Sprint(i))
			require.NoError(t, fixture.Synthetic(dir, 4, 60, fixture.Start.Add(time.Duration(i)*24*time.Hour)))
			if i == 3 {
				r, err := results.ReadRun(dir)
				require.NoError(t, err)
				r.Cells[0].Analysis.Peak.Bytes *= 1.6
				require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), r))
			}
		}
		outDir := t.TempDir()
		require.NoError(t, history.Render(root, outDir, history.Now(genTime)))
		s := open(t, browser, "file://"+filepath.Join(outDir, history.File))
		require.Empty(t, s.problems)
		require.NotEmpty(t, s.plots)
		require.Empty(t, badPlots(s.plots))
		shoot(s.ctx, t, "history-top.png", chromedp.CaptureScreenshot())
		// Every point of every plot is a link to its night's report.
		hrefs, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('svg.chart a')).map(a => new URL(a.getAttribute('href'), document.baseURI).href)`))
		require.NoError(t, err)
		require.Len(t, hrefs, 4*4*4, "4 nights on 4 plots of 4 cells")
		for _, h := range hrefs {
			require.True(t, strings.HasPrefix(h, "file://") && strings.HasSuffix(h, "/report/index.html"), h)
		}
	})
}
