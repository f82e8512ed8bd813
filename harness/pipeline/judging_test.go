package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/render"
)

// ended records the cells an observer is told have ended.
type ended struct {
	runner.Observers
	cells []results.Cell
	warns []string
}

func (e *ended) CellEnded(_, _ int, r *results.Cell) { e.cells = append(e.cells, *r) }
func (e *ended) Warn(msg string)                     { e.warns = append(e.warns, msg) }

// Observers after the judging one see each cell's verdict when it ends; the
// runner's own copy of the result is left as it was.
func TestJudgingObserver(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeRun(t, dir, tinyMatrix, "s/x=1")
	m, err := matrix.Parse("m.yaml", []byte(tinyMatrix))
	require.NoError(t, err)
	run, err := results.ReadRun(dir)
	require.NoError(t, err)
	// An OOM kill is NO-GO whatever the samples say.
	cell := run.Cells[0]
	w, err := results.CreateSamples(samplesPath(dir, &cell))
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, w.Write(&results.Sample{T: float64(i), RSS: int64(10+i) << 20}))
	}
	require.NoError(t, w.Close())
	cell.Outcome = results.OOMKilled
	rec := &ended{}
	j := &judging{next: rec, dir: dir, m: m}
	j.CellEnded(1, 1, &cell)
	require.Len(t, rec.cells, 1)
	assert.Equal(t, results.NOGO, rec.cells[0].Verdict)
	assert.NotEmpty(t, rec.cells[0].Reasons)
	assert.Empty(t, cell.Verdict, "the runner's result is not changed")
	// The samples read for the verdict make the cell's chart series, which
	// the report then reads instead of them.
	cs, fresh, err := render.ChartSeries(samplesPath(dir, &cell), 0)
	require.NoError(t, err)
	assert.True(t, fresh, "the chart series cached when the cell ended")
	assert.Equal(t, 3, cs.Samples)

	// Samples that cannot be read: a warning naming the file, and still a
	// verdict.
	bad := results.Cell{ID: "s/x=9", Dir: "bad", Target: "s", Outcome: results.Completed}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, results.CellsDir, "bad", results.SamplesFile), 0o755))
	j.CellEnded(1, 1, &bad)
	require.Len(t, rec.cells, 2)
	assert.NotEmpty(t, rec.cells[1].Verdict)
	require.Len(t, rec.warns, 1)
	assert.Contains(t, rec.warns[0], "judging s/x=9")
	assert.NoFileExists(t, filepath.Join(dir, results.CellsDir, "bad", results.ChartSeriesFile), "nothing cached of samples not read")
}
