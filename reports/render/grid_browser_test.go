package render_test

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/render"
)

// gridCell is one configuration of the works/OOM grid as a reader sees it.
type gridCell struct {
	State string  `json:"state"`
	Text  string  `json:"text"`
	BG    string  `json:"bg"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
}

// TestBrowserGrid opens the grid fixture's report in headless chromium: the
// works/OOM grid fits the window, every configuration is drawn in its
// state's colour (four different ones), and a click on one lands on its
// cell's section. It saves a screenshot of the grid.
func TestBrowserGrid(t *testing.T) {
	t.Parallel()
	browser := startBrowser(t)
	dir := t.TempDir()
	require.NoError(t, fixture.Grid(dir))
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	_, err = os.Stat(out.Report)
	require.NoError(t, err)

	s := open(t, browser, "file://"+out.Report)
	require.Empty(t, s.problems)
	cells, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]gridCell](`Array.from(document.querySelectorAll('#grid table.grid td[class^="g-"]')).map(td => {
		const r = td.getBoundingClientRect();
		return {state: td.className, text: td.innerText, bg: getComputedStyle(td).backgroundColor, w: r.width, h: r.height};
	})`))
	require.NoError(t, err)
	require.Len(t, cells, 8, "4 rows × 2 memory limits")
	colour := map[string]string{}
	for _, c := range cells {
		require.Positive(t, c.W*c.H, "%s %q is not drawn", c.State, c.Text)
		require.NotEmpty(t, c.Text)
		if prev, ok := colour[c.State]; ok {
			require.Equal(t, prev, c.BG, "one colour per state")
		}
		colour[c.State] = c.BG
	}
	require.Len(t, colour, 4, "works, projected, oom and unknown all shown: %v", colour)
	seenBG := map[string]bool{}
	for _, bg := range colour {
		require.False(t, seenBG[bg], "two states share the colour %s", bg)
		seenBG[bg] = true
	}
	fits, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll('#grid table.grid')).every(t => t.getBoundingClientRect().right <= document.documentElement.clientWidth)`))
	require.NoError(t, err)
	require.True(t, fits, "the grid is wider than the window")
	shoot(s.ctx, t, "report-grid.png", chromedp.Screenshot(chromedp.CSS(`#grid`)))

	// A click on the first OOM lands on its cell's section.
	landed, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](`(() => {
		const a = document.querySelector('#grid td.g-oom a'); a.click();
		const target = document.getElementById(location.hash.slice(1));
		return !!target && target.matches('article.cell') && a.getAttribute('href') === location.hash &&
			Math.abs(target.getBoundingClientRect().top) < 5;
	})()`))
	require.NoError(t, err)
	require.True(t, landed, "a grid link does not land on its cell")
}
