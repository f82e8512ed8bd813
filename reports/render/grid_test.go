package render_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/render"
)

// TestGridGolden renders the grid fixture (labelstorm over two memory
// limits, two rates and a label cap, with repeats) and compares the
// report's works/OOM grid section and the whole summary with their golden
// files; -update rewrites them.
func TestGridGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, fixture.Grid(dir))
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	require.Empty(t, out.Warnings)
	page, err := os.ReadFile(out.Report)
	require.NoError(t, err)
	from := bytes.Index(page, []byte(`<section id="grid"`))
	require.GreaterOrEqual(t, from, 0, "no grid section in the report")
	to := bytes.Index(page[from:], []byte("</section>"))
	require.Greater(t, to, 0)
	section := page[from : from+to+len("</section>")]
	md, err := os.ReadFile(out.Summary)
	require.NoError(t, err)
	for _, tc := range []struct {
		got    []byte
		golden string
	}{
		{section, "testdata/golden/grid.html"},
		{md, "testdata/golden/grid-summary.md"},
	} {
		if *update {
			require.NoError(t, os.WriteFile(tc.golden, tc.got, 0o644))
			continue
		}
		want, err := os.ReadFile(tc.golden)
		require.NoError(t, err, "run with -update to create %s", tc.golden)
		if !bytes.Equal(tc.got, want) {
			t.Errorf("the grid differs from %s (run go test -update after checking the change)", tc.golden)
		}
	}
	// every configuration links to a cell section of the page
	for _, href := range strings.Split(string(section), `href="#`)[1:] {
		anchor := href[:strings.IndexByte(href, '"')]
		require.Contains(t, string(page), `id="`+anchor+`"`, "a grid link without its cell")
	}
	require.Contains(t, string(md), "### Works / OOM grid")
}
