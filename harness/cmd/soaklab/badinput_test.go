package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bin is the real soaklab, built once by TestMain; earlier is a finished
// run made with it, copied beside every bad input to check it stays intact.
var bin, earlier string

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "soaklab-badinput-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "soaklab")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/soaklab/soaklab/harness/cmd/soaklab").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build soaklab: %v\n%s", err, out)
		return 1
	}
	// A short real run: a workload target that sleeps.
	res := filepath.Join(dir, "results")
	os.WriteFile(filepath.Join(dir, "m.yaml"), []byte("targets:\n  w: {kind: workload, command: [sleep, \"60\"]}\naxes: {duration: [2s], ram: [64MiB]}\n"), 0o644)
	cmd := exec.Command(bin, "run", "-m", "m.yaml", "--results", res, "--run-id", "earlier", "--quiet")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() > 1 {
		fmt.Fprintf(os.Stderr, "earlier run: %v\n%s", err, out)
		return 1
	}
	earlier = filepath.Join(res, "earlier")
	return m.Run()
}

// badInput is one bad input given to the real binary.
type badInput struct {
	name   string
	args   []string // {m} is the matrix file, {r} the results directory
	matrix string   // written to m.yaml when set
	setup  func(t *testing.T, dir string)
	code   int
	want   string // in the one line on stderr
}

// matrices are bad matrix files, one problem each, given to validate and
// to run.
var matrices = []struct{ name, text, want string }{
	{"tasks past the cap", "targets: {s: {command: [sleep, '7777']}}\naxes: {tasks: [1000000000]}\n", "tasks: at most 1000000"},
	{"driver tasks", "targets: {s: {command: [sleep, '7777']}}\naxes: {tasks: [20000]}\n", "more than soaklab's driver runs"},
	{"rps past the cap", "targets: {s: {command: [sleep, '7777']}}\naxes: {rps: [2000000]}\n", "rps: at most 1000000"},
	{"rps times timeout", "targets: {s: {command: [sleep, '7777']}}\nworkload: {timeout: 100s}\naxes: {rps: [50000]}\n", "rps × timeout"},
	{"body 100GiB", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, body_size: 100GiB}]}\n", "body_size: at most 64MiB"},
	{"body 6GiB", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, body_size: 6GiB}]}\n", "body_size: at most 64MiB"},
	{"max_labels", "targets: {s: {command: [sleep, '7777']}}\nworkload: {max_labels: 5000}\n", "max_labels: at most 1000"},
	{"too many requests", "targets: {s: {command: [sleep, '7777']}}\nworkload:\n  max_labels: 1000\n  requests:\n" + strings.Repeat("    - {label: a, path: /}\n", 1001), "1001 entries, at most 1000"},
	{"CRLF in path", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: \"/a\\r\\nGET /smuggled HTTP/1.1\"}]}\n", `control character '\r'`},
	{"LF in path", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: \"/a\\nb\"}]}\n", `control character '\n'`},
	{"space in path", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: \"/a b\"}]}\n", "whitespace at byte 2"},
	{"CRLF in header", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, headers: {X-A: \"v\\r\\nHost: evil\"}}]}\n", "headers.X-A: control character"},
	{"NUL in header", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, headers: {X-A: \"v\\0\"}}]}\n", "headers.X-A: control character"},
	{"bad header name", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, headers: {\"X A\": v}}]}\n", `bad header name "X A"`},
	{"LF in metrics", "targets: {s: {command: [sleep, '7777'], metrics: \"/m\\nX\"}}\n", "targets.s.metrics: control character"},
	{"CR in ready", "targets: {s: {command: [sleep, '7777'], ready: \"/h\\r\"}}\n", "targets.s.ready: control character"},
	{"NUL in env", "targets: {s: {command: [sleep, '7777'], env: {A: \"x\\0y\"}}}\n", "NUL byte"},
	{"NUL in env axis", "targets: {s: {command: [sleep, '7777']}}\naxes: {env.A: [\"x\\0y\"]}\n", "NUL byte"},
	{"command not on PATH", "targets: {s: {command: [no-such-program-7777]}}\n", `program "no-such-program-7777" is not on PATH`},
	{"command path missing", "targets: {s: {command: [./nope.sh]}}\n", "program ./nope.sh does not exist"},
	{"build folder missing", "targets: {s: {build: ./nope}}\n", "no package folder ./nope"},
	{"body_file missing", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, body_file: nope.json}]}\n", "nope.json does not exist"},
	{"empty file", "\n", "empty matrix"},
	{"not yaml", "targets: [\n", "YAML syntax"},
	{"two documents", "targets: {s: {command: [sleep, '7777']}}\n---\nx: 1\n", "only one YAML document"},
	{"unknown key", "targets: {s: {command: [sleep, '7777']}}\ntargetz: 1\n", `unknown key "targetz"`},
	{"no targets", "axes: {rps: [1]}\n", "at least one target"},
	{"ram without unit", "targets: {s: {command: [sleep, '7777']}}\naxes: {ram: [64]}\n", "a unit is missing"},
	{"zero duration", "targets: {s: {command: [sleep, '7777']}}\naxes: {duration: [0s]}\n", "positive duration"},
	{"duration under interval", "interval: 10s\ntargets: {s: {command: [sleep, '7777']}}\naxes: {duration: [5s]}\n", "shorter than the sampling interval"},
	{"zero interval", "interval: 0s\ntargets: {s: {command: [sleep, '7777']}}\n", "interval: must be positive"},
	{"zero repeats", "repeats: 0\ntargets: {s: {command: [sleep, '7777']}}\n", "repeats: must be at least 1"},
	{"repeats past the cap", "repeats: 5000\ntargets: {s: {command: [sleep, '7777']}}\n", "repeats: at most 1000"},
	{"unknown percentile mode", "targets: {s: {command: [sleep, '7777']}}\naxes: {percentiles: [hdrr]}\n", `unknown mode "hdrr"`},
	{"bad target name", "targets: {\"bad name\": {command: [sleep, '7777']}}\n", `bad target name "bad name"`},
	{"two sources", "targets: {s: {command: [sleep, '7777'], build: ./x}}\n", "needs exactly one of"},
	{"image on process backend", "targets: {s: {image: x}}\n", "needs backend: docker or auto"},
	{"bad method", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, method: \"GE T\"}]}\n", "expected an HTTP method"},
	{"zero weight", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, weight: 0}]}\n", "weight: must be at least 1"},
	{"body size and file", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, body_size: 1KB, body_file: m.yaml}]}\n", "exclude each other"},
	{"compare unknown axis", "targets: {s: {command: [sleep, '7777']}}\ncompare: [{name: c, axis: nope, baseline: a, candidate: b}]\n", `unknown axis "nope"`},
	{"exclude unknown axis", "targets: {s: {command: [sleep, '7777']}}\nexclude: [{nope: 1}]\n", `unknown axis "nope"`},
	{"template unknown axis", "targets: {s: {command: [sleep, '7777'], env: {A: \"{{.nope}}\"}}}\n", `unknown axis "nope"`},
	{"bad template", "targets: {s: {command: [sleep, '7777'], env: {A: \"{{.rps\"}}}\n", "bad template"},
	{"too many cells", "targets: {s: {command: [sleep, '7777']}}\naxes: {a: [" + numbers(400) + "], b: [" + numbers(400) + "]}\n", "more than 100000 cells"},
	{"unknown kind", "targets: {s: {kind: servr, command: [sleep, '7777']}}\n", `unknown value "servr"`},
	{"warmup not shorter", "targets: {s: {command: [sleep, '7777'], warmup: 2m}}\n", "is not shorter than the duration"},
	{"throughput on a server", "targets: {s: {command: [sleep, '7777'], throughput: x}}\n", "only workload targets name a throughput"},
	{"empty requests", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: []}\n", "the list is empty"},
	{"bad backend in matrix", "backend: potato\ntargets: {s: {command: [sleep, '7777']}}\n", `unknown value "potato"`},
	{"path without slash", "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: x}]}\n", "starting with /"},
	{"negative duration", "targets: {s: {command: [sleep, '7777']}}\nworkload: {timeout: -1s}\n", "must not be negative"},
	{"zero timeout", "targets: {s: {command: [sleep, '7777']}}\nworkload: {timeout: 0s}\n", "timeout: must be positive"},
	{"binary garbage", "\x00\x01\x02\xff\xfe", "YAML"},
	{"deep nesting", "targets: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", "YAML"},
	{"huge number", "targets: {s: {command: [sleep, '7777']}}\naxes: {tasks: [1e400]}\n", "tasks: expected a whole number"},
	{"duplicate axis value", "targets: {s: {command: [sleep, '7777']}}\naxes: {rps: [1, 1.0]}\n", "duplicate value 1"},
	{"duplicate key", "targets: {s: {command: [sleep, '7777']}}\ntargets: {t: {command: [sleep, '7777']}}\n", "targets"},
}

func numbers(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, i)
	}
	return b.String()
}

const okMatrix = "targets: {w: {kind: workload, command: [sleep, '7777']}}\naxes: {duration: [2s], ram: [64MiB]}\n"

// cliCases are bad command lines and run directories.
func cliCases() []badInput {
	busy := func(t *testing.T, dir string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { ln.Close() })
		os.WriteFile(filepath.Join(dir, "port"), []byte(ln.Addr().String()), 0o644)
	}
	return []badInput{
		{name: "run-id dotdot", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "../x"}, matrix: okMatrix, code: 2, want: `invalid run id: "../x" holds ".."`},
		{name: "run-id slash", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "a/b"}, matrix: okMatrix, code: 2, want: "invalid run id"},
		{name: "run-id absolute", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "/tmp/x"}, matrix: okMatrix, code: 2, want: "invalid run id"},
		{name: "run-id hidden", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", ".x"}, matrix: okMatrix, code: 2, want: "invalid run id"},
		{name: "run-id escape", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "a\x1b[2Jb"}, matrix: okMatrix, code: 2, want: "invalid run id"},
		{name: "run-id space", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "a b"}, matrix: okMatrix, code: 2, want: "invalid run id"},
		{name: "run-id taken", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "earlier"}, matrix: okMatrix, code: 2, want: "already holds a run"},
		{name: "clean run dotdot", args: []string{"clean", "--run", "../x"}, code: 2, want: "invalid run id"},
		{name: "clean run slash", args: []string{"clean", "--run", "a/b"}, code: 2, want: "invalid run id"},
		{name: "backend potato", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "bad-potato", "--backend", "potato"}, matrix: okMatrix, code: 2, want: `unknown backend "potato"`},
		{name: "listen busy", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "bad-listen", "--listen", "{port}"}, matrix: okMatrix, setup: busy, code: 2, want: "address already in use"},
		{name: "listen not loopback", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "bad-listen2", "--listen", "0.0.0.0:9464"}, matrix: okMatrix, code: 2, want: "loopback"},
		{name: "shard past n", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "bad-shard", "--shard", "3/2"}, matrix: okMatrix, code: 2, want: "--shard"},
		{name: "shard words", args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "bad-shard2", "--shard", "x"}, matrix: okMatrix, code: 2, want: "--shard"},
		{name: "matrix missing", args: []string{"run", "-m", "nope.yaml", "--results", "{r}", "--run-id", "bad-missing"}, code: 2, want: "nope.yaml"},
		{name: "matrix is a directory", args: []string{"run", "-m", "{r}", "--results", "{r}", "--run-id", "bad-dir"}, code: 2, want: "read matrix"},
		{name: "matrix over 10MiB", args: []string{"run", "-m", "big.yaml", "--results", "{r}", "--run-id", "bad-big"}, setup: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "big.yaml"), bytes.Repeat([]byte("# padding\n"), 1<<20+1), 0o644))
		}, code: 2, want: "more than a matrix may be (10MiB)"},
		{name: "validate over 10MiB", args: []string{"validate", "big.yaml"}, setup: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "big.yaml"), bytes.Repeat([]byte("# padding\n"), 1<<20+1), 0o644))
		}, code: 2, want: "more than a matrix may be (10MiB)"},
		{name: "body_file over 64MiB", args: []string{"validate", "{m}"}, matrix: "targets: {s: {command: [sleep, '7777']}}\nworkload: {requests: [{path: /, body_file: big.bin}]}\n", setup: func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "big.bin"))
			require.NoError(t, err)
			require.NoError(t, f.Truncate(65<<20))
			f.Close()
		}, code: 2, want: "more than a body may be (64MiB"},
		{name: "command not executable", args: []string{"validate", "{m}"}, matrix: "targets: {s: {command: [./t.sh]}}\n", setup: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "t.sh"), []byte("#!/bin/sh\n"), 0o644))
		}, code: 2, want: "is not executable"},
		{name: "report missing", args: []string{"report", "{r}/nope"}, code: 2, want: "no such run"},
		{name: "resume missing", args: []string{"run", "--resume", "{r}/nope"}, code: 2, want: "no such run"},
		{name: "report not a run", args: []string{"report", "{r}"}, code: 2, want: "no such run"},
		{name: "resume a file", args: []string{"run", "--resume", "{m}"}, matrix: okMatrix, code: 2, want: "no such run"},
		{name: "merge over a run", args: []string{"merge", "-o", "{r}/earlier", "{r}/earlier"}, code: 2, want: "already holds a run"},
		{name: "merge missing shard", args: []string{"merge", "-o", "{r}/merged", "{r}/nope"}, code: 2, want: "no such run"},
		{name: "merge bad id", args: []string{"merge", "-o", "{r}/a b", "{r}/earlier"}, code: 2, want: "invalid run id"},
		{name: "merge twice the same", args: []string{"merge", "-o", "{r}/merged", "{r}/earlier", "{r}/earlier"}, code: 2, want: "is in both"},
		{name: "merge nothing", args: []string{"merge", "-o", "{r}/merged"}, code: 2, want: "usage"},
		{name: "unknown command", args: []string{"runn"}, code: 2, want: "unknown command"},
		{name: "unknown flag", args: []string{"run", "--nope"}, code: 2, want: "flag provided but not defined"},
		{name: "compare missing", args: []string{"compare", "{r}/nope", "{r}/earlier"}, code: 2, want: "nope"},
		{name: "resume with escape in path", args: []string{"run", "--resume", "{r}/\x1b]0;x\x07"}, code: 2, want: `\x1b]0;x\a`},
	}
}

func TestBadInputs(t *testing.T) {
	var cases []badInput
	for _, m := range matrices {
		cases = append(cases,
			badInput{name: "validate/" + m.name, args: []string{"validate", "{m}"}, matrix: m.text, code: 2, want: m.want},
			badInput{name: "run/" + m.name, args: []string{"run", "-m", "{m}", "--results", "{r}", "--run-id", "bad-run"}, matrix: m.text, code: 2, want: m.want})
	}
	cases = append(cases, cliCases()...)
	require.GreaterOrEqual(t, len(cases), 100)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// In parallel with each other only (no case starts a target;
			// the tests that do run one at a time, before or after).
			t.Parallel()
			dir := t.TempDir()
			res := filepath.Join(dir, "results")
			copyDir(t, earlier, filepath.Join(res, "earlier"))
			before := tree(t, res)
			if tc.matrix != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(tc.matrix), 0o644))
			}
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			port, _ := os.ReadFile(filepath.Join(dir, "port"))
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				a = strings.ReplaceAll(a, "{m}", "m.yaml")
				a = strings.ReplaceAll(a, "{r}", res)
				args[i] = strings.ReplaceAll(a, "{port}", string(port))
			}
			code, stdout, stderr := soaklab(t, dir, args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			lines := errorLines(stderr)
			assert.Len(t, lines, 1, "one clear line on stderr:\n%s", stderr)
			assert.Contains(t, stderr, tc.want)
			assertNoTrace(t, stdout+stderr)
			assert.Equal(t, before, tree(t, res), "nothing left in the results directory, the earlier run intact")
			assertNothingLeft(t)
		})
	}
}

// soaklab runs the binary in dir and returns its exit code and output.
func soaklab(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("soaklab %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// errorLines are the lines of stderr that are not warnings.
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "warning: ") {
			out = append(out, l)
		}
	}
	return out
}

var traceLine = regexp.MustCompile(`(?m)^goroutine \d+ \[|\.go:\d+|^panic: |^fatal error: |\x1b`)

// assertNoTrace checks output for a Go stack trace or a raw escape.
func assertNoTrace(t *testing.T, out string) {
	t.Helper()
	assert.False(t, traceLine.MatchString(out), "a stack trace or a control sequence in:\n%s", out)
}

// assertNothingLeft checks for soaklab cgroups of these tests' runs and
// their targets' processes (every bad matrix's command is `sleep 7777`).
func assertNothingLeft(t *testing.T) {
	t.Helper()
	for _, id := range []string{"bad-", "earlier_"} {
		m, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/memory/soaklab", id+"*"))
		assert.Empty(t, m, "cgroups left")
	}
	out, _ := exec.Command("pgrep", "-f", "^sleep 7777").Output()
	assert.Empty(t, strings.TrimSpace(string(out)), "target processes left")
}

// tree lists every file under dir with a hash of its contents.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if info.IsDir() {
			out = append(out, rel+"/")
			return nil
		}
		if filepath.Base(p) == ".lock" {
			out = append(out, rel)
			return nil
		}
		data, _ := os.ReadFile(p)
		out = append(out, fmt.Sprintf("%s %x", rel, sha256.Sum256(data)))
		return nil
	})
	sort.Strings(out)
	return out
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
}
