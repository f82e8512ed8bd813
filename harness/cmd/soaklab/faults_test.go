package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// targetEnv makes the test binary a target: "serve" answers /healthz and
// nothing else (its /metrics is a 404); "hostile" prints markup and
// terminal escapes and crashes.
const targetEnv = "SOAKLAB_FAULTS_TARGET"

// hostileText is what a hostile target prints: a script, an image with an
// onerror handler, a terminal title, a screen clear and a fake verdict.
const hostileText = "<script>alert(1)</script><img src=x onerror=alert(2)>\x1b]0;pwned\x07\x1b[2J\rFAKE: all cells GO\u202e"

func serveTarget(mode string) int {
	switch mode {
	case "hostile":
		fmt.Println("panic: " + hostileText)
		fmt.Fprintln(os.Stderr, hostileText)
		return 3
	case "serve":
		mux := http.NewServeMux()
		mux.HandleFunc("/healthz", func(http.ResponseWriter, *http.Request) {})
		if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), mux); err != nil {
			return 9
		}
	}
	return 0
}

// targetMatrix is a matrix whose target t is this test binary in mode.
func targetMatrix(t *testing.T, mode, kind, extra string) string {
	exe, err := os.Executable()
	require.NoError(t, err)
	return fmt.Sprintf("targets:\n  t:\n    kind: %s\n    command: [%q, '-test.run=^$']\n    env: {%s: %s}\n%saxes: {duration: [3s], ram: [64MiB], rps: [20], tasks: [2]}\n",
		kind, exe, targetEnv, mode, extra)
}

func requireCgroup(t *testing.T) {
	if _, err := os.Stat("/sys/fs/cgroup/memory/soaklab"); err != nil {
		if os.Getuid() != 0 {
			t.Skip("needs root and the cgroup v1 memory controller")
		}
	}
}

// A metrics path the target answers with 404 warns during the run, once.
func TestMetrics404Warns(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(targetMatrix(t, "serve", "server", "    metrics: /nope\n")), 0o644))
	code, stdout, stderr := soaklab(t, dir, "run", "-m", "m.yaml", "--results", "r", "--run-id", "m404")
	assert.LessOrEqual(t, code, 1, "judged (every request to / is a 404 too): %s\n%s", stdout, stderr)
	assert.Equal(t, 1, strings.Count(stdout+stderr, "metrics /nope answers 404 Not Found"), "warned once:\n%s\n%s", stdout, stderr)
	assertNoTrace(t, stdout+stderr)
}

// Everything a hostile target writes reaches the terminal with its control
// sequences escaped, and summary.md, junit.xml and the HTML report without
// markup.
func TestHostileTargetEndToEnd(t *testing.T) {
	requireCgroup(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(targetMatrix(t, "hostile", "workload", "")), 0o644))
	code, stdout, stderr := soaklab(t, dir, "run", "-m", "m.yaml", "--results", "r", "--run-id", "hostile")
	assert.Equal(t, 1, code, "%s\n%s", stdout, stderr)
	out := stdout + stderr
	assert.Contains(t, out, "crashed", out)
	for _, raw := range []string{"\x1b", "\x07", "\u202e", "\rFAKE"} {
		assert.NotContains(t, out, raw, "the terminal gets no raw control sequence")
	}
	run := filepath.Join(dir, "r", "hostile")
	for _, f := range []string{"summary.md", "junit.xml", filepath.Join("report", "index.html")} {
		data, err := os.ReadFile(filepath.Join(run, f))
		if os.IsNotExist(err) {
			data, err = os.ReadFile(filepath.Join(run, "report", filepath.Base(f)))
		}
		require.NoError(t, err, f)
		for _, raw := range []string{"<script>alert", "<img src=x", "\x1b", "\x07", "\u202e"} {
			assert.NotContains(t, string(data), raw, "%s holds %q", f, raw)
		}
	}
	assertNothingLeft(t)
}

// A crash of the harness mid-cell (here a SIGQUIT to the harness process:
// a Go crash report, as a panic gives) exits 3 with one line, the crash
// report in a file, run.json finished as interrupted, and no cgroup or
// target process left.
func TestCrashExits3AndLeavesNothing(t *testing.T) {
	requireCgroup(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"),
		[]byte("targets: {w: {kind: workload, command: [sleep, '7777']}}\naxes: {duration: [60s], ram: [64MiB]}\n"), 0o644))
	// The run id names the cgroup the harness's pid is read from: unique to
	// this test process, so another test run's harness is never signalled.
	id := fmt.Sprintf("bad-crash%d", os.Getpid())
	cmd := exec.Command(bin, "run", "-m", "m.yaml", "--results", "r", "--run-id", id)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	var child int
	require.Eventually(t, func() bool {
		m, _ := filepath.Glob("/sys/fs/cgroup/memory/soaklab/" + id + "_*")
		if len(m) == 0 {
			return false
		}
		fmt.Sscanf(strings.Split(filepath.Base(m[0]), "_")[1], "%d", &child)
		return child > 0
	}, time.Minute, 50*time.Millisecond, "the cell never started: %s", &stderr)
	require.NoError(t, syscall.Kill(child, syscall.SIGQUIT))
	err := cmd.Wait()
	require.Error(t, err)
	assert.Equal(t, 3, cmd.ProcessState.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "soaklab: soaklab itself failed: SIGQUIT: quit (the crash report is in ")
	assert.Contains(t, stderr.String(), "finish it with: soaklab run --resume r/"+id)
	assertNoTrace(t, stdout.String()+stderr.String())
	run, err := results.ReadRun(filepath.Join(dir, "r", id))
	require.NoError(t, err)
	assert.Equal(t, "interrupted", run.Status)
	assert.False(t, run.Finished.IsZero())
	assertNothingLeft(t)
}

// SIGTERM while the targets build exits 3 with run.json written (every
// cell pending) and a --resume hint, like an interrupt mid-cell.
func TestSIGTERMDuringBuild(t *testing.T) {
	dir := t.TempDir()
	// A `go` that takes its time: the build phase, held open.
	fake := filepath.Join(dir, "fakebin")
	require.NoError(t, os.MkdirAll(fake, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(fake, "go"), []byte("#!/bin/sh\nexec sleep 7777\n"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte("targets: {s: {build: ./s}}\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "s"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s", "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644))
	cmd := exec.Command(bin, "run", "-m", "m.yaml", "--results", "r", "--run-id", "bad-build")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+fake+":"+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool {
		out, _ := exec.Command("pgrep", "-f", "^sleep 7777").Output()
		return len(bytes.TrimSpace(out)) > 0
	}, time.Minute, 50*time.Millisecond, "the build never started: %s", &stderr)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Error(t, cmd.Wait())
	assert.Equal(t, 3, cmd.ProcessState.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "soaklab run --resume r/bad-build")
	assertNoTrace(t, stdout.String()+stderr.String())
	run, err := results.ReadRun(filepath.Join(dir, "r", "bad-build"))
	require.NoError(t, err, "run.json written")
	assert.Equal(t, "interrupted", run.Status)
	require.Len(t, run.Cells, 1)
	assert.Empty(t, run.Cells[0].Outcome, "the cell is pending, for --resume")
	assertNothingLeft(t)
}

// One harness per run directory: --resume of a run another harness is
// running is refused with its pid, and the live run is untouched.
func TestResumeWhileRunningRefused(t *testing.T) {
	requireCgroup(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"),
		[]byte("targets: {w: {kind: workload, command: [sleep, '7777']}}\naxes: {duration: [60s], ram: [64MiB]}\n"), 0o644))
	cmd := exec.Command(bin, "run", "-m", "m.yaml", "--results", "r", "--run-id", "bad-live")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	samples := filepath.Join(dir, "r", "bad-live", "cells", "*", results.SamplesFile)
	require.Eventually(t, func() bool { m, _ := filepath.Glob(samples); return len(m) > 0 },
		time.Minute, 50*time.Millisecond, "the cell never started: %s", &stderr)
	code, stdout, errOut := soaklab(t, dir, "run", "--resume", "r/bad-live")
	assert.Equal(t, 2, code, stdout+errOut)
	assert.Contains(t, errOut, "is being written by soaklab pid ")
	assert.Len(t, errorLines(errOut), 1, errOut)
	code, _, errOut = soaklab(t, dir, "report", "r/bad-live")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "is being written by soaklab pid ")
	m, _ := filepath.Glob(filepath.Join(dir, "r", "bad-live", "cells", "*", "attempt-*"))
	assert.Empty(t, m, "the live cell's samples were not set aside")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	cmd.Wait()
	assert.Equal(t, 3, cmd.ProcessState.ExitCode(), stderr.String())
	assertNothingLeft(t)
}
