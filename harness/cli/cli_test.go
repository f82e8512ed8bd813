package cli

import (
	"bytes"
	"context"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testEnv runs the CLI in-process with captured output and the real OS roots.
func testEnv() (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errw bytes.Buffer
	return Env{Stdout: &out, Stderr: &errw, Getenv: os.Getenv, ProcRoot: "/proc",
		CgroupRoot: "/sys/fs/cgroup", Mounts: "/proc/self/mounts", Now: time.Now, PID: os.Getpid()}, &out, &errw
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "run go test ./harness/cli -update after checking the change")
}

func TestUsageAndBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		err  string // substring of stderr
	}{
		// no command: usage, exit 2
		{"none", nil, ExitUsage, ""},
		// a typo gets a suggestion
		{"typo", []string{"valid"}, ExitUsage, `did you mean "validate"`},
		// help is not an error
		{"help", []string{"help"}, ExitOK, ""},
		// report needs a run directory
		{"report-usage", []string{"report"}, ExitUsage, "usage: soaklab report"},
		// a run that is not there: a usage error that says where it looked
		{"report-missing", []string{"report", "testdata/nope"}, ExitUsage, "no such run"},
		// a run id not under --results
		{"report-missing-id", []string{"report", "20261101-120000", "--results", "testdata"}, ExitUsage, "nor the id of a run under testdata"},
		// an undefined flag after the positional argument is refused, not dropped
		{"flag-after-unknown", []string{"expand", "testdata/e2e.yaml", "--shrad", "2/4"}, ExitUsage, "flag provided but not defined: -shrad"},
		// a mistyped command several edits away still gets one
		{"typo-transposed", []string{"valdiate"}, ExitUsage, `did you mean "validate"`},
		// nothing near: the list
		{"typo-far", []string{"xyzzy"}, ExitUsage, "soaklab help"},
		// run takes its matrix as an argument (k6 run script.js): the
		// matrix is read, then the results directory (a file) refused
		{"run-positional", []string{"run", "testdata/e2e.yaml", "--results", "testdata/e2e.yaml"}, ExitHarness, "results directory"},
		// a --resume that names no run
		{"resume-missing", []string{"run", "--resume", "nope", "--results", "testdata"}, ExitUsage, "no such run"},
		// expand lists one matrix: a second is refused, not dropped
		{"expand-two", []string{"expand", "testdata/e2e.yaml", "testdata/warn.yaml"}, ExitUsage, "one matrix file at a time"},
		// run takes one matrix, positional or -m, not both
		{"run-two-matrices", []string{"run", "testdata/e2e.yaml", "-m", "testdata/warn.yaml"}, ExitUsage, "given twice"},
		// a missing matrix file names the file
		{"run-missing", []string{"run", "-m", "testdata/nope.yaml"}, ExitUsage, "testdata/nope.yaml"},
		// a bad shard spec
		{"shard", []string{"expand", "--shard", "3/2", "testdata/e2e.yaml"}, ExitUsage, "--shard"},
		// live metrics only on loopback
		{"listen", []string{"run", "-m", "testdata/e2e.yaml", "--results", "testdata/never", "--listen", "0.0.0.0:9464"}, ExitUsage, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _, errw := testEnv()
			code := Main(context.Background(), tt.args, env)
			assert.Equal(t, tt.code, code, errw.String())
			assert.Contains(t, errw.String(), tt.err)
			assert.NotContains(t, errw.String(), "goroutine ", "no stack trace")
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	env, out, errw := testEnv()
	code := Main(context.Background(), []string{"validate", "testdata/bad.yaml"}, env)
	assert.Equal(t, ExitUsage, code)
	assert.Empty(t, out.String())
	golden(t, "bad.stderr", errw.String())
	for _, want := range []string{"testdata/bad.yaml:4:5", `did you mean "build"`, "testdata/bad.yaml:6:9", "max_drift_pct"} {
		assert.Contains(t, errw.String(), want)
	}
}

func TestValidateWarns(t *testing.T) {
	t.Parallel()
	env, out, errw := testEnv()
	assert.Equal(t, ExitOK, Main(context.Background(), []string{"validate", "testdata/warn.yaml"}, env))
	assert.Equal(t, "testdata/warn.yaml: ok, 1 targets, 1 cells\n", out.String())
	assert.Equal(t, "warning: testdata/warn.yaml:7:5: exclude[0] matches no cell\n", errw.String())
}

func TestExpand(t *testing.T) {
	t.Parallel()
	env, out, _ := testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"expand", "testdata/e2e.yaml"}, env))
	golden(t, "e2e.cells", out.String())
	env, out, _ = testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"expand", "--json", "testdata/e2e.yaml"}, env))
	assert.Contains(t, out.String(), `"id": "pyalloc/duration=1m,percentiles=hdr,ram=48MiB,rps=50,tasks=4"`)
}

func requireCgroup(t *testing.T) {
	if _, err := os.Stat("/sys/fs/cgroup/memory/cgroup.procs"); err == nil {
		return
	}
	if os.Getenv("SOAKLAB_REQUIRE_CGROUP") == "1" {
		t.Fatal("SOAKLAB_REQUIRE_CGROUP=1 but no cgroup v1 memory controller")
	}
}

// TestRunEndToEnd runs a real matrix: real targets in real cgroups, real
// HTTP on loopback, a real OOM kill of a Python target, the report written;
// then re-renders it, and checks the sharded path gives the same cells.
func TestRunEndToEnd(t *testing.T) {
	requireCgroup(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	env, out, errw := testEnv()
	code := Main(context.Background(), []string{"run", "-m", "testdata/e2e.yaml", "--results", dir, "--run-id", "full"}, env)
	require.Equal(t, ExitNoGo, code, "stdout:\n%s\nstderr:\n%s", out.String(), errw.String())
	runDir := filepath.Join(dir, "full")
	run, err := results.ReadRun(runDir)
	require.NoError(t, err)
	require.Len(t, run.Cells, 2)
	byTarget := map[string]results.Cell{}
	for _, c := range run.Cells {
		byTarget[c.Target] = c
	}
	steady, py := byTarget["steady"], byTarget["pyalloc"]
	assert.Equal(t, results.Completed, steady.Outcome, steady.Detail)
	assert.NotEmpty(t, steady.Verdict)
	for _, r := range steady.Reasons {
		if r.Criterion == "rate" || r.Criterion == "errors" {
			assert.Equal(t, results.Pass, r.Status, r.Message)
		}
	}
	// Load reached the target; how much depends on how busy the machine is.
	assert.Positive(t, steady.Load.Completed)
	assert.Equal(t, steady.Load.Sent, steady.Load.Completed+steady.Load.Errors)
	assert.Equal(t, results.OOMKilled, py.Outcome, py.Detail)
	assert.Equal(t, results.NOGO, py.Verdict)
	assert.Contains(t, py.Detail, "OOM killer")
	if py.Enforcement != "watchdog" {
		assert.GreaterOrEqual(t, py.OOMKills, int64(1), "the cgroup's counter")
	}
	for _, f := range []string{"report/index.html", "junit.xml", "summary.md"} {
		assert.FileExists(t, filepath.Join(runDir, f))
	}
	assert.Contains(t, out.String(), "2 cells: ")
	// Each cell's end line has its verdict, and the NO-GO cells are
	// listed at the end with their main reason.
	assert.Contains(t, out.String(), py.ID+": NO-GO: oom-killed after ")
	assert.Contains(t, out.String(), "\nNO-GO:\n")
	assert.Contains(t, out.String(), "\n  "+py.ID+": outcome: ")
	assert.Contains(t, out.String(), filepath.Join(runDir, "report", "index.html"))

	// `soaklab report` re-judges and re-renders from results alone.
	require.NoError(t, os.Remove(filepath.Join(runDir, "junit.xml")))
	env, _, errw = testEnv()
	assert.Equal(t, ExitNoGo, Main(context.Background(), []string{"report", runDir}, env), errw.String())
	assert.FileExists(t, filepath.Join(runDir, "junit.xml"))

	// Sharding dry run: two shards, merged, hold the same cells once each.
	var shards []string
	for _, s := range []string{"1/2", "2/2"} {
		id := "shard-" + s[:1]
		env, _, errw := testEnv()
		code := Main(context.Background(), []string{"run", "-m", "testdata/e2e.yaml", "--results", dir, "--run-id", id, "--shard", s, "--quiet"}, env)
		require.Contains(t, []int{ExitOK, ExitNoGo}, code, errw.String())
		shards = append(shards, filepath.Join(dir, id))
	}
	merged := filepath.Join(dir, "merged")
	env, _, errw = testEnv()
	code = Main(context.Background(), append([]string{"merge", "-o", merged}, shards...), env)
	assert.Equal(t, ExitNoGo, code, errw.String())
	m, err := results.ReadRun(merged)
	require.NoError(t, err)
	var ids, want []string
	for _, c := range m.Cells {
		ids = append(ids, c.ID)
		assert.NotEmpty(t, c.Verdict, c.ID)
	}
	for _, c := range run.Cells {
		want = append(want, c.ID)
	}
	assert.ElementsMatch(t, want, ids)
	assert.FileExists(t, filepath.Join(merged, "report", "index.html"))
	// compare: the same matrix run twice, matched cell by cell.
	env, out, errw = testEnv()
	code = Main(context.Background(), []string{"compare", runDir, merged}, env)
	assert.Contains(t, []int{ExitOK, ExitNoGo}, code, errw.String())
	assert.Contains(t, out.String(), "steady/duration=6s")
	assert.NotContains(t, out.String(), "no cell ids in common")

	// history: trend plots across every run in the results directory.
	env, out, errw = testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"history", dir}, env), errw.String())
	assert.FileExists(t, filepath.Join(dir, "history", "index.html"))
	assert.Contains(t, out.String(), "history: ")

	// Merging a shard twice is refused.
	env, _, errw = testEnv()
	assert.Equal(t, ExitUsage, Main(context.Background(), []string{"merge", "-o", filepath.Join(dir, "twice"), shards[0], shards[0]}, env))
	assert.Contains(t, errw.String(), "is in both")
}

func TestResultsDirNotWritable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	env, _, errw := testEnv()
	code := Main(context.Background(), []string{"run", "-m", "testdata/e2e.yaml", "--results", file}, env)
	assert.Equal(t, ExitHarness, code)
	assert.Contains(t, errw.String(), "results directory")
	assert.NotContains(t, errw.String(), "goroutine ")
}

func TestListenPortInUse(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	env, _, errw := testEnv()
	code := Main(context.Background(), []string{"run", "-m", "testdata/e2e.yaml", "--results", t.TempDir(), "--listen", l.Addr().String()}, env)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errw.String(), "address already in use")
	assert.NotContains(t, errw.String(), "goroutine ")
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  results.Run
		want int
	}{
		// nothing NO-GO
		{"clean", results.Run{Counts: results.Counts{GO: 2, NEUTRAL: 1}}, ExitOK},
		// a NO-GO cell
		{"cell", results.Run{Counts: results.Counts{NOGO: 1}}, ExitNoGo},
		// a NO-GO comparison with every cell fine
		{"comparison", results.Run{Comparisons: []results.Comparison{{Verdict: results.NOGO}}}, ExitNoGo},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, exitCode(&tt.run), tt.name)
	}
}
