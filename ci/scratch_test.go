package ci

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// The user's service in the scratch repository: a Python web shop that
// keeps LEAK_KIB of every request (0 on the first night; the second night's
// commit makes it leak).
const shopService = `#!/usr/bin/env python3
"""A small shop API: the service a user soaks nightly. Usage: service.py --port N"""
import argparse
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LEAK_KIB = 0
kept = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok"
        elif self.path == "/items":
            if LEAK_KIB:
                kept.append(bytearray(b"x" * (LEAK_KIB * 1024)))
            body = b'[{"id": 1, "name": "teapot"}]'
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
port = parser.parse_args().port
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(f"shop listening on 127.0.0.1:{port}", file=sys.stderr, flush=True)
server.serve_forever()
`

// The user's matrix: two cells (one per shard) of about 16 s each. The
// port comes in as an argument (a command template); one request in four
// asks for a retired page and expects its 404, which is then no error.
const shopMatrix = `name: shop-nightly
interval: 500ms
targets:
  shop:
    command: [python3, ../service.py, --port, "{{.port}}"]
    warmup: 4s
workload:
  requests:
    - {label: items, path: /items, weight: 3}
    - {label: retired, path: /old-catalogue, expect: [404]}
axes:
  rps: [30, 40]
  # 36 s measured after the 4 s warm-up: shorter cells cannot tell a leak
  # from warm-up (judge.MinLeakWindow) and come out inconclusive
  duration: [40s]
  ram: [256MiB]
judge:
  # The test shares a busy machine with the rest of the suite: judge the
  # service's memory, not how fast this machine let Python answer.
  min_rate_ratio: 0.5
  max_cv: 100
`

// fakeGH stands in for the GitHub CLI on the runner: it answers the calls
// the reusable workflow makes to find and fetch the previous successful
// nightly from a state directory (runs.json, artifacts/<run>/<name>/), and
// logs them. jq applies the --jq filters as gh would.
const fakeGH = `#!/bin/bash
set -euo pipefail
echo "gh $*" >> "$FAKE_GH_STATE/calls.log"
[ -n "${GH_TOKEN:-}" ] || { echo "gh: GH_TOKEN is not set" >&2; exit 4; }
cmd="$1 $2"; shift 2
declare -A opt=()
pos=()
while [ $# -gt 0 ]; do
  case "$1" in --*) opt[$1]="$2"; shift 2 ;; *) pos+=("$1"); shift ;; esac
done
case "$cmd" in
  "api repos/"*)
    echo '{"default_branch": "main"}' | jq -r "${opt[--jq]:-.}" ;;
  "run list")
    jq --arg wf "${opt[--workflow]}" --arg br "${opt[--branch]:-}" --arg st "${opt[--status]:-}" --argjson n "${opt[--limit]:-20}" \
      '[.[] | select(.workflow == $wf and ($br == "" or .headBranch == $br) and ($st == "" or .conclusion == $st))]
       | sort_by(-.databaseId) | .[:$n] | map({databaseId})' "$FAKE_GH_STATE/runs.json" | jq -r "${opt[--jq]:-.}" ;;
  "run download")
    src="$FAKE_GH_STATE/artifacts/${pos[0]}/${opt[--name]}"
    [ -d "$src" ] || { echo "no artifact matches any of the names or patterns provided" >&2; exit 1; }
    mkdir -p "${opt[--dir]:-.}" && cp -R "$src/." "${opt[--dir]:-.}/" ;;
  *) echo "fake gh: unexpected call: gh $cmd" >&2; exit 2 ;;
esac
`

// TestScratchRepositoryNightly is the adoption story end to end, outside
// this repository: a user's repository in a temp dir (a Python service and
// its matrix), soaklab served from a module proxy made from this checkout,
// and the shipped caller workflow → reusable workflow → composite action
// executed step by step (runner_test.go) for two nights. Night one: two
// shards, merged, no baseline yet, GO. Night two: the service now leaks;
// the previous successful night's report is fetched as the baseline (gh is
// a local stand-in serving night one's artifacts), the leak is NO-GO and a
// regression against it, the summary says so and the workflow fails.
func TestScratchRepositoryNightly(t *testing.T) {
	if testing.Short() {
		t.Skip("installs soaklab and runs two nightly soaks (minutes)")
	}
	for _, tool := range []string{"python3", "jq", "git", "go"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "the scratch-repository test needs %s", tool)
	}
	root := t.TempDir()
	checkout, err := filepath.Abs("..")
	require.NoError(t, err)

	// soaklab as a release would serve it: a module proxy made from this
	// checkout; its dependencies come from the local module cache.
	proxy := filepath.Join(root, "proxy")
	out, err := modproxyCmd(checkout, proxy).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("modproxy: %s", ee.Stderr)
	}
	require.NoError(t, err)
	version := strings.TrimSpace(string(out))
	require.Regexp(t, `^v0\.0\.0-\d{14}-[0-9a-f]{12}$`, version)
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	require.NoError(t, err)
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	require.NoError(t, err)

	// The user's repository.
	repo := filepath.Join(root, "shop")
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "soak"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, ".github", "workflows"), 0o755))
	write(t, filepath.Join(repo, "service.py"), shopService)
	write(t, filepath.Join(repo, "soak", "matrix.yaml"), shopMatrix)
	caller, err := os.ReadFile("github/nightly-soak.yml")
	require.NoError(t, err)
	require.Contains(t, string(caller), "soaklab-version: v0.1.0")
	callerPath := filepath.Join(repo, ".github", "workflows", "nightly-soak.yml")
	// The user pins the version the proxy serves instead of the example's.
	write(t, callerPath, strings.Replace(string(caller), "soaklab-version: v0.1.0", "soaklab-version: "+version, 1))

	// The runner machine: a clean GOPATH and module cache; GOPROXY serves
	// soaklab from the local proxy and everything else from the download
	// cache, offline (the module is not in the public checksum database).
	state := filepath.Join(root, "gh")
	fakes := filepath.Join(root, "fakes")
	require.NoError(t, os.MkdirAll(filepath.Join(state, "artifacts"), 0o755))
	require.NoError(t, os.MkdirAll(fakes, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(fakes, "gh"), []byte(fakeGH), 0o755))
	write(t, filepath.Join(state, "runs.json"), "[]")
	gopath := filepath.Join(root, "gopath")
	env := map[string]string{
		"PATH":          fakes + ":" + os.Getenv("PATH"),
		"HOME":          filepath.Join(root, "home"),
		"GOPATH":        gopath,
		"GOMODCACHE":    filepath.Join(gopath, "pkg", "mod"),
		"GOCACHE":       strings.TrimSpace(string(gocache)),
		"GOPROXY":       "file://" + proxy + ",file://" + filepath.Join(strings.TrimSpace(string(modcache)), "cache", "download"),
		"GOSUMDB":       "off",
		"GOFLAGS":       "-trimpath", // build cache hits whatever the temp module cache path
		"GOTOOLCHAIN":   "local",
		"FAKE_GH_STATE": state,
	}
	github := map[string]any{"repository": "acme/shop", "server_url": "https://github.com", "token": "ghs_local",
		"workflow_ref": "acme/shop/.github/workflows/nightly-soak.yml@refs/heads/main", "ref": "refs/heads/main",
		"event_name": "schedule"}

	// Night one: no earlier run, every cell GO or NEUTRAL.
	night1 := night(t, 1001, filepath.Join(root, "night1"), repo, checkout, env, github, callerPath)
	assert.True(t, night1.ok, "night one succeeds:\n%s", night1.run.log.String())
	assert.Contains(t, night1.run.log.String(), "soaklab "+version+" (commit "+version[len(version)-12:], "the action installed this checkout by go install and ran `soaklab version`")
	assert.Equal(t, "0", night1.outputs["exit-code"])
	assert.Contains(t, night1.run.log.String(), "no earlier successful run of nightly-soak.yml on main: no baseline tonight")
	merged1 := readRun(t, filepath.Join(night1.run.artifacts, "soak-report"))
	require.Len(t, merged1.Cells, 2, "both shards' cells in the merged run")
	for _, c := range merged1.Cells {
		assert.NotEqual(t, results.NOGO, c.Verdict, "%s: %v", c.ID, c.Reasons)
		require.NotNil(t, c.Load, c.ID)
		assert.Zero(t, c.Load.Errors, "%s: the expected 404s are no errors: %v", c.ID, c.Load.ErrorsByKind)
		assert.Greater(t, c.Load.Completed, int64(100), c.ID)
	}
	assert.Equal(t, version, merged1.Soaklab.Version, "run.json names the soaklab that measured it")
	for _, shard := range []string{"soak-shard-1", "soak-shard-2"} {
		r := readRun(t, filepath.Join(night1.run.artifacts, shard))
		assert.Len(t, r.Cells, 1, shard)
	}
	assert.Contains(t, night1.run.summary.String(), "2 cells")
	assert.Regexp(t, `\[soak report artifact\]\(https://github.com/acme/shop/actions/runs/1001/artifacts/\d+\)`, night1.run.summary.String())
	assert.NotContains(t, night1.run.summary.String(), "Against the previous successful nightly")
	assert.NotContains(t, night1.run.summary.String(), "](report/index.html)", "no link into a directory the job summary cannot reach")

	// The nightly's history as GitHub would list it: night one succeeded on
	// main; a later failed run and a run on another branch must be passed over.
	require.NoError(t, os.CopyFS(filepath.Join(state, "artifacts", "1001"), os.DirFS(night1.run.artifacts)))
	write(t, filepath.Join(state, "runs.json"), `[
  {"databaseId": 1001, "workflow": "nightly-soak.yml", "headBranch": "main", "conclusion": "success"},
  {"databaseId": 1002, "workflow": "nightly-soak.yml", "headBranch": "main", "conclusion": "failure"},
  {"databaseId": 1003, "workflow": "nightly-soak.yml", "headBranch": "feature", "conclusion": "success"},
  {"databaseId": 1004, "workflow": "other.yml", "headBranch": "main", "conclusion": "success"}
]`)

	// Night two: a commit made the service keep 64 KiB of every request.
	write(t, filepath.Join(repo, "service.py"), strings.Replace(shopService, "LEAK_KIB = 0", "LEAK_KIB = 64", 1))
	night2 := night(t, 1005, filepath.Join(root, "night2"), repo, checkout, env, github, callerPath)
	log2 := night2.run.log.String()
	assert.False(t, night2.ok, "night two fails on the leak:\n%s", log2)
	assert.Equal(t, "1", night2.outputs["exit-code"])
	assert.Equal(t, "success", night2.run.jobResults["shard"], "a NO-GO shard passes; the merge decides")
	assert.Equal(t, "failure", night2.run.jobResults["merge"])
	calls, err := os.ReadFile(filepath.Join(state, "calls.log"))
	require.NoError(t, err)
	assert.Contains(t, string(calls), "gh run list --repo acme/shop --workflow nightly-soak.yml --branch main --status success --limit 1")
	assert.Contains(t, string(calls), "gh run download 1001 --repo acme/shop --name soak-report --dir soak-baseline")
	merged2 := readRun(t, filepath.Join(night2.run.artifacts, "soak-report"))
	nogo := 0
	for _, c := range merged2.Cells {
		if c.Verdict == results.NOGO {
			nogo++
		}
	}
	assert.Equal(t, 2, nogo, "both leaking cells are NO-GO")
	summary := night2.run.summary.String()
	assert.Contains(t, summary, "NO-GO")
	assert.Regexp(t, `Full report: \[report/index.html\]\(https://github.com/acme/shop/actions/runs/1005/artifacts/\d+\)`, summary, "summary.md's link goes to the artifact")
	assert.Contains(t, summary, "Against the previous successful nightly")
	assert.Contains(t, summary, "[run 1001](https://github.com/acme/shop/actions/runs/1001)")
	assert.Regexp(t, `regressed\s+shop/`, summary, "the compare table flags the leaking cells as regressions")
	assert.FileExists(t, filepath.Join(night2.run.artifacts, "soak-report", "regressions.md"), "the regressions travel with the report")
	t.Logf("night two's job summary:\n%s", summary)
	if t.Failed() {
		t.Logf("night two's log:\n%s", log2)
	}
}

type nightResult struct {
	run     *ghRun
	ok      bool
	outputs map[string]string
}

// night runs the user's caller workflow once, as run id.
func night(t *testing.T, id int, dir, repo, checkout string, env map[string]string, github map[string]any, caller string) nightResult {
	t.Helper()
	gh := map[string]any{"run_id": float64(id)}
	for k, v := range github {
		gh[k] = v
	}
	r := newGHRun(t, id, dir, repo, checkout, env, gh)
	start := time.Now()
	ok := r.runCaller(caller)
	t.Logf("night %d: success=%v outputs=%v in %s", id, ok, r.lastOutputs, time.Since(start).Round(time.Second))
	return nightResult{run: r, ok: ok, outputs: r.lastOutputs}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

func readRun(t *testing.T, dir string) *results.Run {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, results.RunFile))
	require.NoError(t, err, dir)
	var r results.Run
	require.NoError(t, json.Unmarshal(data, &r))
	return &r
}

// modproxyCmd runs scripts/modproxy from the checkout's root.
func modproxyCmd(checkout, proxy string) *exec.Cmd {
	cmd := exec.Command("go", "run", "./scripts/modproxy", "-o", proxy)
	cmd.Dir = checkout
	return cmd
}
