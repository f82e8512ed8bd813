package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/buildinfo"
	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target/process"
	"github.com/soaklab/soaklab/matrix"
)

// The test binary doubles as the target (SOAKLAB_TEST_TARGET picks a mode).
func TestMain(m *testing.M) {
	if mode := os.Getenv("SOAKLAB_TEST_TARGET"); mode != "" {
		os.Exit(serveTarget(mode))
	}
	os.Exit(m.Run())
}

var hold [][]byte

// leakCache is the "leak" mode's leak: what put keeps is never dropped, so
// put is the allocation site a heap-profile diff must name.
type leakCache struct{ held [][]byte }

//go:noinline
func (c *leakCache) put(n int) {
	b := make([]byte, n)
	for j := 0; j < n; j += 4096 {
		b[j] = 1
	}
	c.held = append(c.held, b)
}

func serveTarget(mode string) int {
	if mode == "crash" {
		fmt.Println("fatal: cannot open config")
		return 7
	}
	if mode == "late-crash" { // serve for a second, then exit 7
		time.AfterFunc(time.Second, func() {
			fmt.Println("fatal: lost the database")
			os.Exit(7)
		})
	}
	mux := http.NewServeMux()
	ready := mode != "never-ready"
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	switch mode {
	case "leak":
		mux.Handle("/debug/pprof/heap", pprof.Handler("heap"))
	case "stuck-pprof": // a profile endpoint that never answers
		mux.HandleFunc("/debug/pprof/heap", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	}
	go func() {
		c := &leakCache{}
		for i := 0; i < 4096; i++ {
			switch mode {
			case "leak": // 20 MiB/s through one known function
				c.put(1 << 20)
				time.Sleep(50 * time.Millisecond)
			case "hog":
				b := make([]byte, 4<<20)
				for j := range b {
					b[j] = 1
				}
				hold = append(hold, b)
				time.Sleep(20 * time.Millisecond)
			default:
				time.Sleep(time.Second)
			}
		}
	}()
	srv := &http.Server{Addr: "127.0.0.1:" + os.Getenv("PORT"), Handler: mux}
	if err := srv.ListenAndServe(); err != nil {
		return 9
	}
	return 0
}

func newRunner(t *testing.T, dir string, targets ...matrix.Target) *Runner {
	b := process.New(process.StopGrace(time.Second))
	if strings.HasPrefix(b.Mode(), "watchdog") && os.Getenv("SOAKLAB_REQUIRE_CGROUP") == "1" {
		t.Fatalf("SOAKLAB_REQUIRE_CGROUP=1 but the backend runs as %s", b.Mode())
	}
	procs, err := probe.NewProcs("/proc")
	require.NoError(t, err)
	exe, err := os.Executable()
	require.NoError(t, err)
	for i := range targets {
		targets[i].Command = []string{exe, "-test.run=^$"}
		targets[i].Kind = matrix.KindWorkload
		targets[i].Ready = matrix.Ready{Path: "/healthz", Timeout: 3 * time.Second}
		targets[i].PortEnv = matrix.DefaultPortEnv
	}
	return &Runner{Backend: b, Matrix: &matrix.Matrix{Interval: 200 * time.Millisecond, Targets: targets},
		WorkDir: dir, Dir: dir, Procs: procs, SelfPID: os.Getpid()}
}

func cell(target, mode string, ram int64, d time.Duration) matrix.Cell {
	return matrix.Cell{ID: target + "/ram=" + fmt.Sprint(ram>>20) + "MiB", Target: target,
		Axes: map[string]string{"ram": fmt.Sprint(ram>>20) + "MiB"}, RAM: ram, Duration: d,
		Env: map[string]string{"SOAKLAB_TEST_TARGET": mode}}
}

func TestRunCellOutcomes(t *testing.T) {
	dir := t.TempDir()
	r := newRunner(t, dir, matrix.Target{Name: "serve"}, matrix.Target{Name: "hog"},
		matrix.Target{Name: "crash"}, matrix.Target{Name: "slow"}, matrix.Target{Name: "wrapped"})
	// A wrapper that leaves a helper holding stdout, then execs the service.
	wrapped := &r.Matrix.Targets[4]
	wrapped.Command = append([]string{"/bin/sh", "-c", `(echo helper; sleep 60) & exec "$@"`, "sh"}, wrapped.Command...)
	cells := []matrix.Cell{
		cell("serve", "serve", 64<<20, 2*time.Second),
		cell("hog", "hog", 48<<20, 20*time.Second),
		cell("crash", "crash", 64<<20, 2*time.Second),
		cell("slow", "never-ready", 64<<20, 2*time.Second),
		cell("wrapped", "late-crash", 64<<20, 20*time.Second),
	}
	run := &results.Run{Schema: results.SchemaVersion, ID: "t"}
	require.NoError(t, r.Run(context.Background(), run, cells))

	got := map[string]results.Cell{}
	for _, c := range run.Cells {
		got[c.Target] = c
	}
	tests := []struct {
		target  string
		outcome results.Outcome
		detail  string
	}{
		// a target that serves for the whole cell completes.
		{"serve", results.Completed, ""},
		// allocating past the cgroup limit: the kernel kills it and its counter says so.
		{"hog", results.OOMKilled, "kernel's OOM killer"},
		// exits by itself at once: crashed, with its exit status and last output.
		{"crash", results.Crashed, "cannot open config"},
		// /healthz never answers 200 within its timeout.
		{"slow", results.NotReady, "not ready after 3s"},
		// the service behind the wrapper exits 7 a second in; the helper holding its stdout does not hide it.
		{"wrapped", results.Crashed, "exited with status 7"},
	}
	for _, tt := range tests {
		c := got[tt.target]
		assert.Equal(t, tt.outcome, c.Outcome, "%s: %s", tt.target, c.Detail)
		assert.Contains(t, c.Detail, tt.detail, tt.target)
		onDisk, err := results.ReadCell(filepath.Join(dir, results.CellsDir, c.Dir))
		require.NoError(t, err, tt.target)
		assert.Equal(t, c.Outcome, onDisk.Outcome)
	}
	if got["hog"].Enforcement != "watchdog" {
		assert.GreaterOrEqual(t, got["hog"].OOMKills, int64(1))
		// the cgroup's high-water mark, read before the cgroup is removed, not the last sample.
		assert.Greater(t, got["hog"].PeakCgroup, int64(40<<20))
	}
	assert.Equal(t, 7, got["crash"].ExitCode)
	w := got["wrapped"]
	assert.Equal(t, 7, w.ExitCode)
	assert.Empty(t, w.Signal)
	assert.Less(t, w.Ended.Sub(w.Started), 19*time.Second, "ended when the service exited, not at the end of the cell")
	serve := got["serve"]
	assert.GreaterOrEqual(t, serve.Samples, 8, "samples every 200ms for 2s")
	samples, err := results.ReadSamples(filepath.Join(dir, results.CellsDir, serve.Dir, results.SamplesFile))
	require.NoError(t, err)
	require.Len(t, samples, serve.Samples)
	assert.Greater(t, samples[len(samples)-1].RSS, int64(1<<20))
	assert.Greater(t, samples[len(samples)-1].DriverRSS, int64(1<<20))
	assert.Greater(t, serve.PeakRSS, int64(1<<20))

	onDisk, err := results.ReadRun(dir)
	require.NoError(t, err)
	assert.Equal(t, "finished", onDisk.Status)
	assert.Len(t, onDisk.Cells, 5)
	b := buildinfo.Read()
	assert.Equal(t, results.Tool{Version: b.Version, Commit: b.Commit}, onDisk.Soaklab, "run.json names the soaklab that measured it")
}

func TestRunInterruptedAndResumed(t *testing.T) {
	dir := t.TempDir()
	r := newRunner(t, dir, matrix.Target{Name: "serve"})
	cells := []matrix.Cell{cell("serve", "serve", 64<<20, time.Minute)}
	cells = append(cells, cell("serve", "serve", 96<<20, time.Second))
	run := &results.Run{Schema: results.SchemaVersion, ID: "t"}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	require.NoError(t, r.Run(ctx, run, cells))
	assert.Less(t, time.Since(start), 30*time.Second, "the minute-long cell stopped at the signal")
	assert.Equal(t, "interrupted", run.Status)
	assert.Equal(t, results.Interrupted, run.Cells[0].Outcome)
	assert.Empty(t, run.Cells[1].Outcome, "the second cell never ran")

	// --resume: read run.json back, shorten the cell, run what is not done.
	again, err := results.ReadRun(dir)
	require.NoError(t, err)
	cells[0].Duration = time.Second
	require.NoError(t, r.Run(context.Background(), again, cells))
	assert.Equal(t, results.Completed, again.Cells[0].Outcome)
	assert.Equal(t, results.Completed, again.Cells[1].Outcome)
	assert.Equal(t, "finished", again.Status)
	done := again.Cells[1].Started
	require.NoError(t, r.Run(context.Background(), again, cells))
	assert.Equal(t, done, again.Cells[1].Started, "a completed cell is not run again")
}

func TestUnknownTargetIsCellError(t *testing.T) {
	dir := t.TempDir()
	r := newRunner(t, dir)
	run := &results.Run{Schema: results.SchemaVersion, ID: "t"}
	require.NoError(t, r.Run(context.Background(), run, []matrix.Cell{cell("ghost", "serve", 64<<20, time.Second)}))
	assert.Equal(t, results.Errored, run.Cells[0].Outcome)
	assert.Contains(t, run.Cells[0].Detail, `unknown target "ghost"`)
}

func TestResultsNotWritable(t *testing.T) {
	dir := t.TempDir()
	r := newRunner(t, filepath.Join(dir, "file"), matrix.Target{Name: "serve"})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	err := r.Run(context.Background(), &results.Run{}, []matrix.Cell{cell("serve", "serve", 64<<20, time.Second)})
	assert.ErrorContains(t, err, "results directory")
}

// A Go target leaking through a known function is OOM-killed under a real
// memory limit before its end: the growth sites come from the last heap
// profile taken before the kill and name the function, whether the kill
// comes after the warm-up (against the baseline) or during it (against the
// profile taken when the target became ready).
func TestOOMKilledCellNamesGrowthSite(t *testing.T) {
	tests := []struct {
		name   string
		warmup time.Duration
		first  string
	}{
		{"after warm-up", 500 * time.Millisecond, "end of warm-up"},
		{"during warm-up", 30 * time.Second, "target ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := newRunner(t, dir, matrix.Target{Name: "leak", Pprof: "/debug/pprof", ProfileEvery: time.Second})
			c := cell("leak", "leak", 128<<20, time.Minute)
			c.Warmup = tt.warmup
			run := &results.Run{Schema: results.SchemaVersion, ID: "t"}
			require.NoError(t, r.Run(context.Background(), run, []matrix.Cell{c}))
			got := run.Cells[0]
			require.Equal(t, results.OOMKilled, got.Outcome, got.Detail)
			if got.Enforcement != "watchdog" {
				assert.GreaterOrEqual(t, got.OOMKills, int64(1), "the kernel's counter says it")
			}
			require.NotEmpty(t, got.GrowthSites, "sites from the profiles taken before the kill")
			assert.Equal(t, "github.com/soaklab/soaklab/harness/runner.(*leakCache).put", got.GrowthSites[0].Function)
			assert.Greater(t, got.GrowthSites[0].Delta, int64(8<<20))
			h := got.HeapProfiles
			require.NotNil(t, h)
			assert.Equal(t, tt.first, h.First)
			assert.Greater(t, h.LastS, h.FirstS)
			assert.NotEqual(t, "end of cell", h.Last)
			onDisk, err := results.ReadCell(filepath.Join(dir, results.CellsDir, got.Dir))
			require.NoError(t, err)
			assert.Equal(t, got.GrowthSites, onDisk.GrowthSites)
			for _, f := range []string{h.FirstFile, h.LastFile} {
				_, err := os.Stat(filepath.Join(dir, results.CellsDir, got.Dir, f))
				assert.NoError(t, err, "%s kept for go tool pprof", f)
			}
			t.Logf("killed after %s; %d profiles, %.1f s (%s) against %.1f s (%s); top site %s +%d MiB",
				got.Ended.Sub(got.Started).Round(100*time.Millisecond), h.Taken, h.LastS, h.Last, h.FirstS, h.First,
				got.GrowthSites[0].Function, got.GrowthSites[0].Delta>>20)
		})
	}
}

// A heap profile endpoint that never answers holds up neither the samples
// nor the cell: the cell completes, sampled all along, with a warning, and
// names no site.
func TestStuckProfileEndpoint(t *testing.T) {
	dir := t.TempDir()
	r := newRunner(t, dir, matrix.Target{Name: "stuck", Pprof: "/debug/pprof", ProfileEvery: time.Second})
	c := cell("stuck", "stuck-pprof", 128<<20, 3*time.Second)
	c.Warmup = time.Second
	run := &results.Run{Schema: results.SchemaVersion, ID: "t"}
	require.NoError(t, r.Run(context.Background(), run, []matrix.Cell{c}))
	got := run.Cells[0]
	require.Equal(t, results.Completed, got.Outcome, got.Detail)
	samples, err := results.ReadSamples(filepath.Join(dir, results.CellsDir, got.Dir, results.SamplesFile))
	require.NoError(t, err)
	require.NotEmpty(t, samples)
	assert.GreaterOrEqual(t, samples[len(samples)-1].T, 2.5, "sampled to the end of the cell")
	assert.GreaterOrEqual(t, len(samples), 5, "every 200 ms for 3 s, however slow the machine, at least a few")
	assert.Empty(t, got.GrowthSites)
	warned := strings.Join(got.Warnings, "; ")
	assert.Contains(t, warned, "heap profiles: none taken from http://127.0.0.1:")
	assert.Contains(t, warned, "no answer before the cell ended")
	t.Logf("cell took %s; %d samples; warnings: %s", got.Ended.Sub(got.Started).Round(100*time.Millisecond), len(samples), warned)
}
