package render_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/render"
)

// TestLoadFromCellFiles: a run.json that lists no cells (a run cut short
// before its manifest was rewritten) is rendered from the cells' result.json
// files, in directory order.
func TestLoadFromCellFiles(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	r, err := results.ReadRun(dir)
	require.NoError(t, err)
	want := len(r.Cells)
	r.Cells = nil
	require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), r))
	got, err := render.Load(dir)
	require.NoError(t, err)
	require.Len(t, got.Cells, want)
	for i := 1; i < len(got.Cells); i++ {
		require.Less(t, results.CellDir(got.Cells[i-1].ID), results.CellDir(got.Cells[i].ID))
	}
	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	require.Equal(t, want, out.Cells)
	require.Empty(t, out.Warnings)
}

// TestMissingSamples: a cell whose samples are gone still renders, without
// plots; a torn last line is dropped silently; a corrupt line mid-file is a
// warning shown in the report, not a failure.
func TestMissingSamples(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	r, err := results.ReadRun(dir)
	require.NoError(t, err)
	require.NoError(t, os.Remove(render.SamplesPath(dir, &r.Cells[0])))
	p := render.SamplesPath(dir, &r.Cells[1])
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, append([]byte("{not json\n"), data...), 0o644))

	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	require.Len(t, out.Warnings, 1)
	require.Contains(t, out.Warnings[0], r.Cells[1].ID)
	page, err := os.ReadFile(out.Report)
	require.NoError(t, err)
	require.Contains(t, string(page), "No samples were recorded for this cell.")
	require.Contains(t, string(page), "Warnings while reading the run")
}

// TestNoRun: a directory without run.json is an error, and nothing is written.
func TestNoRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := render.Run(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
	_, statErr := os.Stat(filepath.Join(dir, render.ReportFile))
	require.ErrorIs(t, statErr, os.ErrNotExist)
}
