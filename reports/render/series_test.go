package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/html"
	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/render"
)

// renderPage renders the run in dir and returns its page.
func renderPage(t *testing.T, dir string) []byte {
	t.Helper()
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	page, err := os.ReadFile(out.Report)
	require.NoError(t, err)
	return page
}

// cellSamples lists the samples files of the cells of the run in dir.
func cellSamples(t *testing.T, dir string) []string {
	t.Helper()
	r, err := render.Load(dir)
	require.NoError(t, err)
	var out []string
	for i := range r.Cells {
		out = append(out, render.SamplesPath(dir, &r.Cells[i]))
	}
	return out
}

// cacheAtCellEnd caches every cell's chart series as the harness does when
// a cell ends: from the samples read whole for its verdict.
func cacheAtCellEnd(t *testing.T, dir string) {
	t.Helper()
	for _, p := range cellSamples(t, dir) {
		s, err := results.ReadSamples(p)
		require.NoError(t, err)
		require.NoError(t, render.CacheChartSeries(p, s))
	}
}

// A report drawn from the chart series cached when each cell ended is the
// report drawn from the samples, byte for byte: for the golden run, for
// the run whose charts once hid their problems (an OOM kill after three
// samples and a reading of nothing, a six-hour cell reduced from 4,320
// samples) and for two-hour cells reduced from 7,200 samples.
func TestChartSeriesSamePage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func(dir string) error
	}{
		{"golden run", func(dir string) error { copyInto(t, fixtureDir, dir); return nil }},
		{"problems", fixture.Problems},
		{"two hours", func(dir string) error { return fixture.Synthetic(dir, 2, 7200, fixture.Start) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fromLog, atEnd := t.TempDir(), t.TempDir()
			require.NoError(t, tc.make(fromLog))
			require.NoError(t, tc.make(atEnd))
			cacheAtCellEnd(t, atEnd)
			for _, p := range cellSamples(t, atEnd) {
				_, fresh, err := render.ChartSeries(p, 0)
				require.NoError(t, err)
				require.True(t, fresh, "%s: cached at the cell's end", p)
			}
			want := renderPage(t, fromLog) // no cache: built from the samples, and cached
			require.Equal(t, string(want), string(renderPage(t, atEnd)), "the page from the cache written at each cell's end")
			require.Equal(t, string(want), string(renderPage(t, fromLog)), "the page from the cache the first report wrote")
			for _, p := range cellSamples(t, fromLog) {
				require.FileExists(t, results.ChartSeriesPath(p), "the first report caches what it built")
			}
		})
	}
}

// copyInto copies the run in src into dst.
func copyInto(t *testing.T, src, dst string) {
	t.Helper()
	tmp := copyRun(t, src)
	require.NoError(t, os.CopyFS(dst, os.DirFS(tmp)))
}

// A chart series that is damaged, built by another reduction or older than
// its samples is never drawn: the report reads the samples, draws what
// they hold, and caches it afresh.
func TestChartSeriesStale(t *testing.T) {
	t.Parallel()
	spike := results.Sample{T: 180, RSS: 900 << 20, WorkingSet: 901 << 20}
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, samples, cache string)
		changed bool // the samples changed: the page must too
	}{
		// garbage where the cache was
		{"garbage", func(t *testing.T, _, cache string) {
			require.NoError(t, os.WriteFile(cache, []byte("not a chart series"), 0o644))
		}, false},
		// a cache cut short (a full disk, a copy interrupted)
		{"truncated", func(t *testing.T, _, cache string) {
			b, err := os.ReadFile(cache)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(cache, b[:len(b)/2], 0o644))
		}, false},
		// one byte changed inside the compressed data: gzip's checksum
		{"flipped byte", func(t *testing.T, _, cache string) {
			b, err := os.ReadFile(cache)
			require.NoError(t, err)
			b[len(b)*2/3] ^= 0x40
			require.NoError(t, os.WriteFile(cache, b, 0o644))
		}, false},
		// built from these samples by another reduction (10 buckets)
		{"other reduction", func(t *testing.T, samples, cache string) {
			s, err := results.ReadSamples(samples)
			require.NoError(t, err)
			cs := html.BuildChartSeries(s, 10)
			cs.Source, err = results.StampSamples(samples)
			require.NoError(t, err)
			require.NoError(t, results.WriteChartSeries(cache, cs))
		}, false},
		// a resumed cell appended to its samples after the cache was made:
		// the spike must be drawn
		{"samples appended", func(t *testing.T, samples, _ string) {
			w, err := results.CreateSamples(samples)
			require.NoError(t, err)
			require.NoError(t, w.Write(&spike))
			require.NoError(t, w.Close())
		}, true},
		// the samples replaced by a shorter file (a merge took another copy)
		{"samples replaced", func(t *testing.T, samples, _ string) {
			s, err := results.ReadSamples(samples)
			require.NoError(t, err)
			require.NoError(t, os.Remove(samples))
			w, err := results.CreateSamples(samples)
			require.NoError(t, err)
			for i := range s[:len(s)/2] {
				require.NoError(t, w.Write(&s[i]))
			}
			require.NoError(t, w.Close())
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyRun(t, fixtureDir)
			before := renderPage(t, dir) // caches every cell
			samples := cellSamples(t, dir)[2]
			cache := results.ChartSeriesPath(samples)
			require.FileExists(t, cache)
			tc.damage(t, samples, cache)
			// what the samples alone draw, in a copy without caches
			want := renderPage(t, withoutCaches(t, dir))

			cs, fresh, err := render.ChartSeries(samples, 0)
			require.NoError(t, err)
			require.False(t, fresh, "a stale or damaged cache is not used")
			s, err := results.ReadSamples(samples)
			require.NoError(t, err)
			require.Equal(t, len(s), cs.Samples, "every sample the log holds")
			_, fresh, err = render.ChartSeries(samples, 0)
			require.NoError(t, err)
			require.True(t, fresh, "rebuilt and cached afresh")

			got := renderPage(t, dir)
			require.Equal(t, string(want), string(got))
			require.Equal(t, tc.changed, !bytes.Equal(before, got))
		})
	}
}

// withoutCaches copies the run in dir without its chart series.
func withoutCaches(t *testing.T, dir string) string {
	t.Helper()
	dst := copyRun(t, dir)
	for _, p := range cellSamples(t, dst) {
		require.NoError(t, os.RemoveAll(results.ChartSeriesPath(p)))
	}
	return dst
}

// Samples that cannot be read whole draw what was read, with a warning,
// and are not cached: the next report warns again.
func TestChartSeriesTornSamples(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	samples := cellSamples(t, dir)[1]
	b, err := os.ReadFile(samples)
	require.NoError(t, err)
	lines := bytes.SplitAfter(b, []byte("\n"))
	bad := append(append(bytes.Join(lines[:5], nil), []byte("{\"t\": oops}\n")...), bytes.Join(lines[5:], nil)...)
	require.NoError(t, os.WriteFile(samples, bad, 0o644))
	for range 2 {
		out, err := render.Run(dir, render.Now(genTime))
		require.NoError(t, err)
		require.Len(t, out.Warnings, 1)
		require.NoFileExists(t, filepath.Join(filepath.Dir(samples), results.ChartSeriesFile))
	}
}
