package render_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/render"
)

var update = flag.Bool("update", false, "rewrite the fixture run and the golden files")

// fixtureDir is the committed fixture run: a GO cell, an oom-killed cell, a
// leaky NO-GO cell, a NEUTRAL cell and an A/B comparison.
const fixtureDir = "testdata/run"

var genTime = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

// copyRun copies the fixture run into a fresh directory so rendering never
// writes into testdata.
func copyRun(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	require.NoError(t, err)
	return dst
}

func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		os.RemoveAll(fixtureDir)
		if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
			panic(err)
		}
		if err := fixture.Small(fixtureDir); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// TestGolden renders the fixture run and compares every output with its
// golden file; -update rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	require.Empty(t, out.Warnings)
	require.Equal(t, 5, out.Cells)
	for _, tc := range []struct{ got, golden string }{
		{out.Report, "testdata/golden/index.html"},
		{out.JUnit, "testdata/golden/junit.xml"},
		{out.Summary, "testdata/golden/summary.md"},
	} {
		got, err := os.ReadFile(tc.got)
		require.NoError(t, err)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(tc.golden), 0o755))
			require.NoError(t, os.WriteFile(tc.golden, got, 0o644))
			continue
		}
		want, err := os.ReadFile(tc.golden)
		require.NoError(t, err, "run with -update to create %s", tc.golden)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run go test -update after checking the change)", tc.got, tc.golden)
		}
	}
}

// TestSchema1 renders the fixture run as an earlier soaklab wrote it
// (schema 1: the analysis a flat map of numbers, kept in
// harness/results/testdata/v1): it is read, converted, and renders exactly
// as the current fixture does.
func TestSchema1(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	old, err := os.ReadFile("../../harness/results/testdata/v1/run.json")
	require.NoError(t, err)
	require.Contains(t, string(old), `"schema": 1,`)
	require.Contains(t, string(old), `"slope_mib_per_h": 3240`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "run.json"), old, 0o644))
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	require.Empty(t, out.Warnings)
	for _, tc := range []struct{ got, golden string }{
		{out.Report, "testdata/golden/index.html"},
		{out.JUnit, "testdata/golden/junit.xml"},
		{out.Summary, "testdata/golden/summary.md"},
	} {
		got, err := os.ReadFile(tc.got)
		require.NoError(t, err)
		want, err := os.ReadFile(tc.golden)
		require.NoError(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("%s of the schema-1 run differs from %s", filepath.Base(tc.got), tc.golden)
		}
	}
}

// TestDeterministic renders the same run twice: the bytes must match, or
// golden tests and diffs between nightly reports would be noise.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, b := copyRun(t, fixtureDir), copyRun(t, fixtureDir)
	oa, err := render.Run(a, render.Now(genTime))
	require.NoError(t, err)
	ob, err := render.Run(b, render.Now(genTime))
	require.NoError(t, err)
	for _, p := range [][2]string{{oa.Report, ob.Report}, {oa.JUnit, ob.JUnit}, {oa.Summary, ob.Summary}} {
		x, _ := os.ReadFile(p[0])
		y, _ := os.ReadFile(p[1])
		require.True(t, bytes.Equal(x, y), "%s rendered differently twice", filepath.Base(p[0]))
	}
}

// TestReportContent checks what a reader must find in the page, independent
// of layout: self-contained, every verdict labelled, plots present and
// accessible, OOM kill and slope drawn, "~" for an undetected change.
func TestReportContent(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	data, err := os.ReadFile(out.Report)
	require.NoError(t, err)
	page := string(data)
	for _, tc := range []struct {
		name, want string
		count      int // minimum occurrences
	}{
		{"GO label in the scorecard", `<span class="badge go">GO</span>`, 2},
		{"NO-GO label", `<span class="badge nogo">NO-GO</span>`, 2},
		{"NEUTRAL label", `<span class="badge neutral">NEUTRAL</span>`, 1},
		{"cell link", `href="#cell-leaky_duration=3m,ram=512MiB,rps=500,tasks=10"`, 1},
		{"cell anchor", `id="cell-leaky_duration=3m,ram=512MiB,rps=500,tasks=10"`, 1},
		{"accessible plots", `<svg role="img" aria-label="Target memory"`, 5},
		{"OOM kill marked", "OOM kill", 2},
		{"fitted slope drawn", "fitted slope (+3,240 MiB/h)", 1},
		{"memory limit drawn", "memory limit", 5},
		{"goroutines plotted", `aria-label="Goroutines (go_goroutines)"`, 1},
		{"interactive data", `<script type="application/json" class="cell-data"`, 5},
		{"no change shown as ~", `nochange">~</td>`, 1},
		{"growth site", "main.(*cache).remember", 1},
		{"matrix shown", "<summary>matrix.yaml", 1},
		{"safe configuration row", "<th scope=\"row\">512 MiB</th>", 1},
	} {
		if n := strings.Count(page, tc.want); n < tc.count {
			t.Errorf("%s: %q appears %d times, want at least %d", tc.name, tc.want, n, tc.count)
		}
	}
	for _, bad := range []string{"http://", "https://", "<script src", "<link "} {
		// The SVG namespace URIs are identifiers, not fetched; the inlined
		// uPlot's licence banner names its home page.
		clean := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "",
			"/*! https://github.com/leeoniya/uPlot (v", "").Replace(page)
		require.NotContains(t, clean, bad, "the report must not reach the network")
	}
}

// The memory chart of every cell not GO is written beside the report as a
// standalone SVG, and summary.md shows it; GO cells get none.
func TestSummaryCharts(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	_, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	run, err := results.ReadRun(dir)
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(dir, render.SummaryFile))
	require.NoError(t, err)
	for _, c := range run.Cells {
		rel := render.ChartsDir + "/" + results.CellDir(c.ID) + "-memory.svg"
		_, statErr := os.Stat(filepath.Join(dir, rel))
		if c.Verdict == results.GO {
			require.True(t, os.IsNotExist(statErr), "%s is GO: no chart", c.ID)
			continue
		}
		require.NoError(t, statErr, c.ID)
		svg, err := os.ReadFile(filepath.Join(dir, rel))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(svg), "<svg") && strings.Contains(string(svg), `xmlns="http://www.w3.org/2000/svg"`), "a standalone SVG")
		require.Contains(t, string(md), "]("+rel+")")
	}
}
