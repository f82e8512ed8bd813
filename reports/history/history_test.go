package history_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/history"
	"github.com/soaklab/soaklab/reports/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite the golden page")

// genTime is when the golden page says it was generated: the morning after
// the last nightly run.
var genTime = time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)

// nightly writes into root three runs a day apart, out of name order, the
// last with its first cell's peak doubled and judged NO-GO: the regression
// the page must show. It returns root.
func nightly(t *testing.T, root string) string {
	t.Helper()
	for i, name := range []string{"c", "a", "b"} {
		dir := filepath.Join(root, name)
		require.NoError(t, fixture.Synthetic(dir, 3, 60, fixture.Start.Add(time.Duration(i)*24*time.Hour)))
	}
	last := filepath.Join(root, "b")
	r, err := results.ReadRun(last)
	require.NoError(t, err)
	r.Cells[0].Analysis.Peak.Bytes *= 2
	r.Cells[0].Verdict = results.NOGO
	require.NoError(t, results.WriteJSON(filepath.Join(last, results.RunFile), r))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "not-a-run"), 0o755))
	return root
}

// TestScan orders points by run start, not by directory name, and carries
// the doubled peak into the last point.
func TestScan(t *testing.T) {
	t.Parallel()
	root := nightly(t, t.TempDir())
	cells, runs, warns, err := history.Scan(root)
	require.NoError(t, err)
	require.Empty(t, warns)
	require.Len(t, runs, 3)
	require.Len(t, cells, 3)
	for i := 1; i < len(runs); i++ {
		require.True(t, runs[i-1].Started.Before(runs[i].Started), "runs ordered by start")
	}
	id := runs[2].Cells[0].ID
	pts := cells[id]
	require.Len(t, pts, 3)
	require.InDelta(t, 2*pts[1].Peak, pts[2].Peak, 1, "the regression is the last point")
	require.InDelta(t, pts[0].Peak, pts[1].Peak, 1, "no change before it")
	require.Equal(t, 11.0, pts[0].P99)
}

// TestRender writes one self-contained page with three plots per cell.
func TestRender(t *testing.T) {
	t.Parallel()
	root := nightly(t, t.TempDir())
	out := filepath.Join(root, "history")
	require.NoError(t, history.Render(root, out, history.Now(fixture.Start)))
	data, err := os.ReadFile(filepath.Join(out, history.File))
	require.NoError(t, err)
	page := string(data)
	for _, tc := range []struct {
		name, want string
		count      int
	}{
		{"a plot per cell and measure", `<svg role="img"`, 12},
		{"peak plots", `: peak memory"`, 3},
		{"slope plots", `: judged memory slope"`, 3},
		{"p99 plots", `: p99 latency (corrected)"`, 3},
		{"throughput plots", `: throughput"`, 3},
		{"every run listed", `<th scope="row">synthetic-2026112`, 3},
		{"every night of every cell linked to its report, in its table and on its 4 plots", `<a href="../`, 3*3 + 3*3*4},
		{"the points link with a hover text", `/report/index.html"><title>`, 3 * 3 * 4},
	} {
		require.Equal(t, tc.count, strings.Count(page, tc.want), tc.name)
	}
	require.NotContains(t, page, "<script src")
}

// Twenty nightly runs, the first cell's peak 30 % higher from the
// thirteenth night on: the change is found on that night, marked on its plot, listed
// at the top of the page and in summary.md with a link to that night's
// report; nothing else changed.
func TestChangeFound(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	var id string
	for i := range 20 {
		dir := filepath.Join(root, fmt.Sprintf("night-%02d", i))
		require.NoError(t, fixture.Synthetic(dir, 2, 30, fixture.Start.Add(time.Duration(i)*24*time.Hour)))
		r, err := results.ReadRun(dir)
		require.NoError(t, err)
		id = r.Cells[0].ID
		if i >= 12 {
			r.Cells[0].Analysis.Peak.Bytes *= 1.3
		}
		require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), r))
	}
	out := filepath.Join(root, "history")
	require.NoError(t, history.Render(root, out, history.Now(genTime)))
	page, err := os.ReadFile(filepath.Join(out, history.File))
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(out, history.SummaryFile))
	require.NoError(t, err)
	night := fixture.Start.Add(12 * 24 * time.Hour).Format("2006-01-02")
	require.Contains(t, string(md), "| ["+night+"](../night-12/report/index.html) | `"+id+"` | peak memory |")
	require.Equal(t, 1, strings.Count(string(md), "| peak memory |")+strings.Count(string(md), "| judged memory slope |")+
		strings.Count(string(md), "| p99 latency (corrected) |")+strings.Count(string(md), "| throughput |"), "one change in all:\n%s", md)
	has := func(s string) bool { return strings.Contains(string(page), s) }
	require.True(t, has(`<a href="../night-12/report/index.html">`+night+`</a>`), "the first night linked to its report")
	require.True(t, has("+30% from Dec 2"), "the change marked on the plot")
	require.True(t, has(">Nov 27</text>"), "dates on the x axis")
	require.False(t, has("days since"))
}

// TestRenderNoRuns: a directory without runs is an error the CLI can name.
func TestRenderNoRuns(t *testing.T) {
	t.Parallel()
	err := history.Render(t.TempDir(), t.TempDir())
	require.True(t, errors.Is(err, history.ErrNoRuns), "got %v", err)
}

// TestGolden renders the nightly runs plus a run written by a newer soaklab
// (skipped with a warning) and compares the page byte for byte with
// testdata/golden/index.html; -update rewrites it. It is not parallel: it
// changes into the directory above the results so the page names them
// "results", as a user would type it, rather than a temporary path.
func TestGolden(t *testing.T) {
	golden, err := filepath.Abs("testdata/golden/" + history.File)
	require.NoError(t, err)
	base := t.TempDir()
	root := nightly(t, filepath.Join(base, "results"))
	future := filepath.Join(root, "d-future")
	require.NoError(t, os.MkdirAll(future, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(future, results.RunFile), []byte(`{"schema": 999, "id": "future"}`), 0o644))
	out := filepath.Join(base, "results", "history") // where soaklab history writes it
	t.Chdir(base)
	require.NoError(t, history.Render("results", out, history.Now(genTime)))
	got, err := os.ReadFile(filepath.Join(out, history.File))
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, got, 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run with -update to create %s", golden)
	if !bytes.Equal(got, want) {
		t.Errorf("the page differs from %s (run go test -update after checking the change)\n%s", golden, firstDiff(got, want))
	}
}

// firstDiff names the first line where got and want part.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d:\n got: %.300s\nwant: %.300s", i+1, gl, wl)
		}
	}
	return "same lines"
}
