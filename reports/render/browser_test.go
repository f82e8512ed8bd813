package render_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"soaklab/harness/results"
	"soaklab/reports/render"
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

// artifactDir is where the screenshot goes: $SOAKLAB_ARTIFACTS when set
// (CI uploads it), else the test's artifact directory (kept with
// `go test -artifacts`).
func artifactDir(t *testing.T) string {
	if d := os.Getenv("SOAKLAB_ARTIFACTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.ArtifactDir()
}

// TestBrowser opens the fixture report from file:// in headless chromium and
// checks what a reader sees: no console error or exception, every plot drawn
// with a non-zero size, every scorecard row with the verdict label the judge
// gave. It saves screenshots as test artifacts. Without chromium it skips,
// unless SOAKLAB_REQUIRE_BROWSER=1 (CI), where it fails.
func TestBrowser(t *testing.T) {
	t.Parallel()
	bin := findChromium()
	if bin == "" {
		if os.Getenv("SOAKLAB_REQUIRE_BROWSER") == "1" {
			t.Fatal("no chromium found (install Debian's chromium package, or set SOAKLAB_CHROMIUM) and SOAKLAB_REQUIRE_BROWSER=1")
		}
		t.Skip("no chromium found: install Debian's chromium package or set SOAKLAB_CHROMIUM; SOAKLAB_REQUIRE_BROWSER=1 makes this a failure")
	}
	dir := copyRun(t, fixtureDir)
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	run, err := results.ReadRun(dir)
	require.NoError(t, err)
	page, err := os.ReadFile(out.Report)
	require.NoError(t, err)
	wantPlots := strings.Count(string(page), "<svg ")
	require.Positive(t, wantPlots)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// Start the browser on a context without a timeout: the first Run owns it.
	require.NoError(t, chromedp.Do(ctx), "start %s", bin)

	sub, stopConsole := context.WithCancel(ctx)
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

	step, cancelStep := context.WithTimeout(ctx, 30*time.Second)
	defer cancelStep()
	url := "file://" + out.Report
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(url), chromedp.WaitReady("#scorecard")), "open %s", url)

	type box struct {
		Label string  `json:"label"`
		W     float64 `json:"w"`
		H     float64 `json:"h"`
	}
	boxes, err := chromedp.Run(step, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll('svg')).map(s => {
		const r = s.getBoundingClientRect(); return {label: s.getAttribute('aria-label') || '', w: r.width, h: r.height};
	})`))
	require.NoError(t, err)
	require.Len(t, boxes, wantPlots, "every plot in the file is in the page")
	for i, b := range boxes {
		if b.W <= 0 || b.H <= 0 || b.Label == "" {
			t.Errorf("plot %d %q renders %.0fx%.0f (want non-zero, labelled)", i, b.Label, b.W, b.H)
		}
	}

	type row struct {
		Cell    string `json:"cell"`
		Verdict string `json:"verdict"`
	}
	rows, err := chromedp.Run(step, chromedp.Evaluate[[]row](`Array.from(document.querySelectorAll('table.scorecard tbody tr')).map(r => ({
		cell: r.querySelector('th').innerText.trim(), verdict: r.querySelector('.badge').innerText.trim()}))`))
	require.NoError(t, err)
	require.Len(t, rows, len(run.Cells))
	for i, c := range run.Cells {
		require.Equal(t, c.ID, rows[i].Cell, "scorecard row %d", i)
		require.Equal(t, string(c.Verdict), rows[i].Verdict, "scorecard label of %s", c.ID)
	}

	art := artifactDir(t)
	top, err := chromedp.Run(step, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	full, err := chromedp.Run(step, chromedp.FullScreenshot(85))
	require.NoError(t, err)
	leaky, err := chromedp.Run(step, chromedp.Screenshot(chromedp.CSS(`article[id^="cell-leaky"]`)))
	require.NoError(t, err)
	for name, data := range map[string][]byte{"report-top.png": top, "report-full.jpg": full, "report-leaky-cell.png": leaky} {
		p := filepath.Join(art, name)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		t.Logf("screenshot: %s (%d bytes)", p, len(data))
	}

	// Let late messages arrive, then stop listening.
	_, _ = chromedp.Run(step, chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 200))`, chromedp.EvalAwaitPromise))
	stopConsole()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for _, m := range msgs {
		if m.IsException() || m.Type == "error" {
			t.Errorf("console %s: %s", m.Type, fmt.Sprint(m))
		}
	}
}
