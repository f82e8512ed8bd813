package history_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"soaklab/harness/results"
	"soaklab/reports/history"
	"soaklab/reports/internal/fixture"
)

// nightly writes three runs a day apart, out of name order, the last with
// its first cell's peak doubled: the regression the page must show.
func nightly(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for i, name := range []string{"c", "a", "b"} {
		dir := filepath.Join(root, name)
		require.NoError(t, fixture.Synthetic(dir, 3, 60, fixture.Start.Add(time.Duration(i)*24*time.Hour)))
	}
	last := filepath.Join(root, "b")
	r, err := results.ReadRun(last)
	require.NoError(t, err)
	r.Cells[0].Analysis["peak_bytes"] *= 2
	require.NoError(t, results.WriteJSON(filepath.Join(last, results.RunFile), r))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "not-a-run"), 0o755))
	return root
}

// TestScan orders points by run start, not by directory name, and carries
// the doubled peak into the last point.
func TestScan(t *testing.T) {
	t.Parallel()
	root := nightly(t)
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
	root := nightly(t)
	out := t.TempDir()
	require.NoError(t, history.Render(root, out, history.Now(fixture.Start)))
	data, err := os.ReadFile(filepath.Join(out, history.File))
	require.NoError(t, err)
	page := string(data)
	for _, tc := range []struct {
		name, want string
		count      int
	}{
		{"a plot per cell and measure", `<svg role="img"`, 9},
		{"peak plots", `: peak memory"`, 3},
		{"slope plots", `: memory slope"`, 3},
		{"p99 plots", `: p99 latency (corrected)"`, 3},
		{"every run listed", "synthetic-2026112", 3},
	} {
		require.Equal(t, tc.count, strings.Count(page, tc.want), tc.name)
	}
	require.NotContains(t, page, "<script src")
}

// TestRenderNoRuns: a directory without runs is an error the CLI can name.
func TestRenderNoRuns(t *testing.T) {
	t.Parallel()
	err := history.Render(t.TempDir(), t.TempDir())
	require.True(t, errors.Is(err, history.ErrNoRuns), "got %v", err)
}
