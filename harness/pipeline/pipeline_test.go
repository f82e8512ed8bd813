package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// syncBuffer is a bytes.Buffer safe for the signal goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The first signal cancels the run's context; the second calls Exit.
func TestWithSignals(t *testing.T) {
	t.Parallel()
	sig := make(chan os.Signal, 2)
	exited := make(chan struct{})
	var w syncBuffer
	ctx, stop := WithSignals(context.Background(), Env{Stderr: &w, Signals: sig, Exit: func() { close(exited) }})
	defer stop()
	require.NoError(t, ctx.Err())
	sig <- syscall.SIGTERM
	<-ctx.Done()
	sig <- syscall.SIGINT
	<-exited
	assert.Contains(t, w.String(), "terminated: stopping load")
	assert.Contains(t, w.String(), "second signal: exiting now; run `soaklab clean`")
}

// Without signals the context only ends with stop.
func TestWithSignalsNone(t *testing.T) {
	t.Parallel()
	ctx, stop := WithSignals(context.Background(), Env{})
	require.NoError(t, ctx.Err())
	stop()
	assert.Error(t, ctx.Err())
}

// writeRun writes a run directory with one finished cell per id.
func writeRun(t *testing.T, dir, yaml string, ids ...string) {
	t.Helper()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	run := &results.Run{Schema: results.SchemaVersion, ID: filepath.Base(dir), Matrix: "/m.yaml", MatrixYAML: yaml,
		Started: t0, Finished: t0.Add(time.Minute), Status: "finished"}
	for _, id := range ids {
		c := results.Cell{Schema: results.SchemaVersion, ID: id, Dir: results.CellDir(id), Target: "s", Outcome: results.Completed}
		cellDir := filepath.Join(dir, results.CellsDir, c.Dir)
		require.NoError(t, os.MkdirAll(cellDir, 0o755))
		require.NoError(t, results.WriteJSON(filepath.Join(cellDir, results.CellFile), c))
		require.NoError(t, os.WriteFile(filepath.Join(cellDir, results.SamplesFile), nil, 0o644))
		run.Cells = append(run.Cells, c)
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), run))
}

const tinyMatrix = "name: r\ntargets:\n  s: {command: [./s]}\n"

func TestMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, other := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "other")
	writeRun(t, a, tinyMatrix, "s/x=2", "s/x=0")
	writeRun(t, b, tinyMatrix, "s/x=1")
	writeRun(t, other, tinyMatrix+"repeats: 2\n", "s/x=3")

	out := filepath.Join(dir, "merged")
	m, err := Merge(out, []string{a, b})
	require.NoError(t, err)
	assert.Equal(t, "merged", m.ID)
	var ids []string
	for _, c := range m.Cells {
		ids = append(ids, c.ID)
		assert.FileExists(t, filepath.Join(out, results.CellsDir, c.Dir, results.CellFile), "cell copied")
	}
	assert.Equal(t, []string{"s/x=0", "s/x=1", "s/x=2"}, ids, "sorted by id")
	onDisk, err := results.ReadRun(out)
	require.NoError(t, err)
	assert.Len(t, onDisk.Cells, 3)

	tests := []struct {
		name string
		dirs []string
		err  string
	}{
		// shards partition the cells: one twice is refused
		{"twice", []string{a, a}, "is in both"},
		// shards of different matrices do not merge
		{"other matrix", []string{a, other}, "ran a different matrix"},
		// a directory that is not a run
		{"not a run", []string{dir}, "run.json"},
		// nothing to merge
		{"none", nil, "no shard runs"},
	}
	for _, tt := range tests {
		_, err := Merge(filepath.Join(dir, "x-"+tt.name), tt.dirs)
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.err, tt.name)
		assert.True(t, IsInput(err), "%s: %v is the user's", tt.name, err)
	}
}

func TestFindRun(t *testing.T) {
	t.Parallel()
	res := t.TempDir()
	writeRun(t, filepath.Join(res, "20261101-120000"), tinyMatrix, "s/x=1")
	tests := []struct {
		name, results, ref, want, err string
	}{
		// a run directory is taken as it is
		{"dir", "", filepath.Join(res, "20261101-120000"), filepath.Join(res, "20261101-120000"), ""},
		// an id is looked up under the results directory
		{"id", res, "20261101-120000", filepath.Join(res, "20261101-120000"), ""},
		// an unknown id says where it looked
		{"unknown id", res, "20261101-130000", "", "neither a run directory nor the id of a run under " + res},
		// the results directory itself is not a run
		{"not a run", "", res, "", "holds no run.json"},
	}
	for _, tt := range tests {
		got, err := FindRun(tt.results, tt.ref)
		if tt.err != "" {
			require.Error(t, err, tt.name)
			assert.Contains(t, err.Error(), tt.err, tt.name)
			assert.True(t, errors.Is(err, ErrNoRun) && IsInput(err), tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
}

func TestNoGos(t *testing.T) {
	t.Parallel()
	run := &results.Run{
		Cells: []results.Cell{
			{ID: "a", Verdict: results.GO},
			{ID: "b", Verdict: results.NOGO, Reasons: []results.Reason{
				{Criterion: "errors", Status: results.Pass, Message: "no errors"},
				{Criterion: "leak", Status: results.Fail, Message: "slope 40 MiB/h"}}},
		},
		Comparisons: []results.Comparison{{Name: "lean", Verdict: results.NOGO,
			Reasons: []results.Reason{{Criterion: "rss", Status: results.Fail, Message: "no drop"}}}},
	}
	assert.Equal(t, []NoGo{{"b", "leak: slope 40 MiB/h"}, {"comparison lean", "rss: no drop"}}, NoGos(run))
}

// A plan records the matrix's path against the working directory it is
// given and refuses a run id already taken.
func TestNewPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(tinyMatrix), 0o644))
	env := Env{Dir: "/elsewhere", Hostname: "h1", Now: func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }}
	p, err := NewPlan(Options{Matrix: filepath.Join(dir, "m.yaml"), ResultsDir: filepath.Join(dir, "results"), Shard: "1/1"}, env)
	require.NoError(t, err)
	assert.Equal(t, "20261101-120000", p.Run.ID)
	assert.Equal(t, filepath.Join(dir, "results", "20261101-120000"), p.Dir)
	assert.Equal(t, "h1", p.Run.Host.Hostname)
	assert.Len(t, p.Cells, 1)
	require.NoError(t, results.WriteJSON(filepath.Join(p.Dir, results.RunFile), p.Run))

	_, err = NewPlan(Options{Matrix: filepath.Join(dir, "m.yaml"), ResultsDir: filepath.Join(dir, "results")}, env)
	require.Error(t, err)
	assert.True(t, IsInput(err))
	assert.Contains(t, err.Error(), "already holds a run")

	// relative to the working directory given, not the process's
	env.Dir = dir
	p, err = NewPlan(Options{Matrix: filepath.Join(dir, "m.yaml"), ResultsDir: filepath.Join(dir, "results"), RunID: "r2"}, env)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "m.yaml"), p.Run.Matrix)
	assert.Equal(t, "/elsewhere/m.yaml", Env{Dir: "/elsewhere"}.abs("m.yaml"))

	_, err = NewPlan(Options{Matrix: filepath.Join(dir, "m.yaml"), ResultsDir: dir, RunID: "r3", Shard: "3/2"}, env)
	require.Error(t, err)
	assert.True(t, IsInput(err))
	assert.Contains(t, err.Error(), "--shard")
}
