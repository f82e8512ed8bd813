package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
		_, err := Merge(filepath.Join(dir, "x-"+strings.ReplaceAll(tt.name, " ", "-")), tt.dirs)
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.err, tt.name)
		assert.True(t, IsInput(err), "%s: %v is the user's", tt.name, err)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	assert.Equal(t, []string{"a", "b", "merged", "other"}, left, "a failed merge leaves no directory, not even a temporary one")
}

// A merge never overwrites: not a run, not a non-empty directory; an
// empty directory is fine.
func TestMergeNeverOverwrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeRun(t, a, tinyMatrix, "s/x=1")
	writeRun(t, b, tinyMatrix, "s/x=2")
	before, err := os.ReadFile(filepath.Join(b, results.RunFile))
	require.NoError(t, err)
	_, err = Merge(b, []string{a})
	require.ErrorContains(t, err, "already holds a run; merge writes a new run")
	assert.True(t, IsInput(err))
	after, err := os.ReadFile(filepath.Join(b, results.RunFile))
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "the existing run is intact")

	full := filepath.Join(dir, "full")
	require.NoError(t, os.MkdirAll(full, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(full, "keep.txt"), []byte("x"), 0o644))
	_, err = Merge(full, []string{a})
	require.ErrorContains(t, err, "is not empty")

	_, err = Merge(filepath.Join(dir, "..x"), []string{a})
	require.ErrorIs(t, err, results.ErrRunID)

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.MkdirAll(empty, 0o755))
	m, err := Merge(empty, []string{a, b})
	require.NoError(t, err)
	assert.Len(t, m.Cells, 2)
	assert.FileExists(t, filepath.Join(empty, results.RunFile))
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
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s"), []byte("#!/bin/sh\n"), 0o755))
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

// One harness per run directory: resuming a run another plan holds is
// refused naming the holder; a plan given up removes the directory it
// made; an unknown backend is refused before anything is made.
func TestPlanLockAndDiscard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(tinyMatrix), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s"), []byte("#!/bin/sh\n"), 0o755))
	res := filepath.Join(dir, "results")
	opts := Options{Matrix: filepath.Join(dir, "m.yaml"), ResultsDir: res, RunID: "r1"}
	p, err := NewPlan(opts, Env{})
	require.NoError(t, err)
	require.NoError(t, results.WriteJSON(filepath.Join(p.Dir, results.RunFile), p.Run))

	_, err = NewPlan(Options{Resume: p.Dir}, Env{})
	require.ErrorIs(t, err, results.ErrLocked)
	assert.True(t, IsInput(err))
	assert.Contains(t, err.Error(), fmt.Sprintf("pid %d", os.Getpid()))
	p.Close()
	p2, err := NewPlan(Options{Resume: p.Dir}, Env{})
	require.NoError(t, err, "released: resumable")
	p2.Discard()
	assert.FileExists(t, filepath.Join(p.Dir, results.RunFile), "Discard leaves a run it did not make")

	_, err = NewPlan(Options{Resume: filepath.Join(dir, "nope")}, Env{})
	require.ErrorIs(t, err, ErrNoRun)
	assert.NoDirExists(t, filepath.Join(dir, "nope"))

	opts.RunID = "r2"
	p3, err := NewPlan(opts, Env{})
	require.NoError(t, err)
	p3.Discard()
	assert.NoDirExists(t, filepath.Join(res, "r2"), "a plan that never ran leaves no directory")

	opts.RunID, opts.Backend = "r3", "potato"
	_, err = NewPlan(opts, Env{})
	require.ErrorContains(t, err, `--backend: unknown backend "potato"`)
	assert.True(t, IsInput(err))
	assert.NoDirExists(t, filepath.Join(res, "r3"))

	opts.RunID, opts.Backend = "../r4", ""
	_, err = NewPlan(opts, Env{})
	require.ErrorIs(t, err, results.ErrRunID)
	assert.NoDirExists(t, filepath.Join(dir, "r4"))
}
