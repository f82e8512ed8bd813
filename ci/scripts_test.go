package ci

import (
	"archive/zip"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// A stand-in soaklab for running the pipelines' own shell scripts: it logs
// its arguments, creates what the real one would, and exits with
// $STUB_CODE. The scripts' exit-code handling is what is under test.
const stubSoaklab = `#!/bin/bash
echo "$*" >> "$STUB_LOG"
case "$1" in
  run)   for a in "$@"; do [ "$prev" = --run-id ] && mkdir -p "results/$a" && echo '{}' > "results/$a/run.json"; prev=$a; done ;;
  merge) mkdir -p soak-results/nightly && echo "# soaklab: 2 GO, 1 NO-GO" > soak-results/nightly/summary.md ;;
  compare) exit "${STUB_COMPARE_CODE:-0}" ;;
  clean|version) exit 0 ;;
esac
exit "${STUB_CODE:-0}"
`

// sudo as the CI runner has it: drop the options, run the command.
const stubSudo = `#!/bin/bash
while [[ "$1" == -* ]]; do shift; done
exec "$@"
`

type sandbox struct {
	dir, log, output, summary string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	dir := t.TempDir()
	s := &sandbox{dir: dir, log: filepath.Join(dir, "stub.log"),
		output: filepath.Join(dir, "github_output"), summary: filepath.Join(dir, "step_summary")}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "stubs"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bin", "soaklab"), []byte(stubSoaklab), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stubs", "sudo"), []byte(stubSudo), 0o755))
	return s
}

// run runs script as the CI runners do (bash, -e, pipefail) and returns
// its exit code and output.
func (s *sandbox) run(t *testing.T, script string, env map[string]string) (int, string) {
	t.Helper()
	require.NotContains(t, script, "${{", "expressions belong in env:, not in scripts")
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = []string{"PATH=" + filepath.Join(s.dir, "stubs") + ":" + os.Getenv("PATH"),
		"STUB_LOG=" + s.log, "GITHUB_OUTPUT=" + s.output, "GITHUB_STEP_SUMMARY=" + s.summary}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	require.NoError(t, err)
	return 0, string(out)
}

func (s *sandbox) read(t *testing.T, name string) string {
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	require.NoError(t, err)
	return string(data)
}

// actionStep returns the run: script of the composite action's step id.
func actionStep(t *testing.T, id string) string {
	var a actionFile
	readYAML(t, "github/action/action.yml", &a)
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			return s.Run
		}
	}
	t.Fatalf("the action has no step %s", id)
	return ""
}

// workflowStep returns the run: script of a reusable workflow job's step id.
func workflowStep(t *testing.T, job, id string) string {
	var w wfFile
	readYAML(t, "../.github/workflows/soak-nightly.yml", &w)
	for _, s := range w.Jobs[job].Steps {
		if s.ID == id {
			return s.Run
		}
	}
	t.Fatalf("job %s has no step %s", job, id)
	return ""
}

func TestActionRunScript(t *testing.T) {
	t.Parallel()
	script := actionStep(t, "run")
	cases := []struct {
		soaklab    int
		failOnNoGo string
		want       int
	}{
		{0, "false", 0}, // all GO: the step passes
		{1, "false", 0}, // NO-GO: the shard passes so the merge runs and decides
		{1, "true", 1},  // NO-GO with fail-on-nogo: the step fails
		{2, "false", 2}, // bad matrix: the step fails
		{3, "false", 3}, // harness failure: the step fails
	}
	for _, tc := range cases {
		s := newSandbox(t)
		code, out := s.run(t, script, map[string]string{"STUB_CODE": itoa(tc.soaklab), "SOAKLAB": filepath.Join(s.dir, "bin", "soaklab"),
			"MATRIX": "soak/matrix.yaml", "SHARD": "2/4", "RESULTS": "results", "RUN_ID": "nightly-shard-2", "BASELINE": "", "FAIL_ON_NOGO": tc.failOnNoGo})
		require.Equal(t, tc.want, code, "soaklab exit %d: %s", tc.soaklab, out)
		require.Equal(t, "run -m soak/matrix.yaml --results results --run-id nightly-shard-2 --shard 2/4\nclean\n", s.read(t, s.log))
		require.Contains(t, s.read(t, s.output), "exit-code="+itoa(tc.soaklab))
		require.Contains(t, s.read(t, s.output), "run-dir=results/nightly-shard-2")
		require.FileExists(t, filepath.Join(s.dir, "results/nightly-shard-2/run.json"), "the directory the artifact uploads")
	}
	// no shard and a baseline: every cell, compared
	s := newSandbox(t)
	code, out := s.run(t, script, map[string]string{"SOAKLAB": filepath.Join(s.dir, "bin", "soaklab"), "MATRIX": "m.yaml", "SHARD": "",
		"RESULTS": "r", "RUN_ID": "soak", "BASELINE": "last/night", "FAIL_ON_NOGO": "false"})
	require.Equal(t, 0, code, out)
	require.Equal(t, "run -m m.yaml --results r --run-id soak --baseline last/night\nclean\n", s.read(t, s.log))
}

func TestActionInstallRefusesABadVersion(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "latest", "main"} {
		s := newSandbox(t)
		code, out := s.run(t, actionStep(t, "install"), map[string]string{"SOAKLAB_VERSION": v})
		require.Equal(t, 2, code, out)
		require.Contains(t, out, "version must be a release")
	}
}

func TestWorkflowVerdictScript(t *testing.T) {
	t.Parallel()
	script := workflowStep(t, "merge", "verdict")
	cases := []struct {
		code, compare string
		want          int
	}{
		{"0", "0", 0}, // GO, no regression
		{"1", "0", 1}, // a NO-GO cell
		{"0", "1", 1}, // GO cells, but a regression against last night
		{"0", "", 0},  // no baseline tonight
		{"2", "0", 2}, // merge refused its input
		{"3", "0", 3}, // harness failure
		{"", "", 3},   // the merge step never ran
	}
	for _, tc := range cases {
		s := newSandbox(t)
		code, out := s.run(t, script, map[string]string{"CODE": tc.code, "COMPARE": tc.compare})
		require.Equal(t, tc.want, code, "merge %q compare %q: %s", tc.code, tc.compare, out)
		require.Contains(t, s.read(t, s.output), "exit-code=")
	}
}

func TestWorkflowMergeScript(t *testing.T) {
	t.Parallel()
	script := workflowStep(t, "merge", "merge")
	// nothing downloaded: a harness failure, merge not called
	s := newSandbox(t)
	code, out := s.run(t, script, map[string]string{"BASELINE": "", "BASELINE_URL": "", "PATH": filepath.Join(s.dir, "bin") + ":" + os.Getenv("PATH")})
	require.Equal(t, 0, code, out)
	require.Contains(t, s.read(t, s.output), "code=3")
	require.Empty(t, s.read(t, s.log))
}

// gitlabTemplate returns the template's jobs with its inputs interpolated
// as GitLab does at include time.
func gitlabTemplate(t *testing.T, inputs map[string]string) map[string]any {
	data, err := os.ReadFile("gitlab/nightly-soak.gitlab-ci.yml")
	require.NoError(t, err)
	header, body, ok := strings.Cut(string(data), "\n---\n")
	require.True(t, ok, "a spec header, then ---")
	var spec struct {
		Spec struct {
			Inputs map[string]struct {
				Default any `yaml:"default"`
			} `yaml:"inputs"`
		} `yaml:"spec"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(header), &spec))
	for _, m := range regexp.MustCompile(`\$\[\[ inputs\.([a-z-]+) \]\]`).FindAllStringSubmatch(body, -1) {
		in, known := spec.Spec.Inputs[m[1]]
		require.True(t, known, "unknown input %s", m[1])
		v, given := inputs[m[1]]
		if !given {
			require.NotNil(t, in.Default, "input %s has no default and was not given", m[1])
			v = fmt.Sprint(in.Default)
		}
		body = strings.ReplaceAll(body, m[0], v)
	}
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(body), &doc))
	return doc
}

func jobScript(doc map[string]any, job string, key string) string {
	j, _ := doc[job].(map[string]any)
	return strings.Join(strs(j[key]), "\n")
}

// A stand-in for curl on the jobs API: serves $BASELINE_ZIP, or fails as
// the API does when no successful pipeline has the job.
const stubCurl = `#!/bin/bash
echo "curl $*" >> "$STUB_LOG"
out=""; while [ $# -gt 0 ]; do [ "$1" = --output ] && out="$2"; shift; done
[ -n "${BASELINE_ZIP:-}" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$BASELINE_ZIP" "$out"
`

func TestGitLabScripts(t *testing.T) {
	t.Parallel()
	doc := gitlabTemplate(t, map[string]string{"soaklab-version": "v0.1.0"})
	install, soak, merge := jobScript(doc, ".soaklab", "before_script"), jobScript(doc, "soaklab-shard", "script"), jobScript(doc, "soaklab-merge", "script")
	env := func(s *sandbox, code int) map[string]string {
		return map[string]string{"STUB_CODE": itoa(code), "CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "4", "SOAKLAB_MATRIX": "soak/matrix.yaml",
			"SOAKLAB_FETCH_BASELINE": "true", "CI_API_V4_URL": "https://gitlab.example/api/v4", "CI_PROJECT_ID": "7", "CI_DEFAULT_BRANCH": "main",
			"CI_JOB_NAME": "soaklab-merge", "CI_JOB_TOKEN": "tok", "CI_JOB_URL": "https://gitlab.example/acme/shop/-/jobs/99",
			"PATH": filepath.Join(s.dir, "bin") + ":" + filepath.Join(s.dir, "stubs") + ":" + os.Getenv("PATH")}
	}
	for _, tc := range []struct{ soaklab, want int }{{0, 0}, {1, 0}, {2, 2}, {3, 3}} {
		// a shard passes on GO and NO-GO, fails on 2 and 3
		s := newSandbox(t)
		require.NoError(t, os.WriteFile(filepath.Join(s.dir, "stubs", "curl"), []byte(stubCurl), 0o755))
		code, out := s.run(t, soak, env(s, tc.soaklab))
		require.Equal(t, tc.want, code, "shard, soaklab exit %d: %s", tc.soaklab, out)
		require.Equal(t, "run --shard 3/4 -m soak/matrix.yaml --results soak-results --run-id nightly-shard-3\n", s.read(t, s.log))

		// the merge joins every shard directory and fails on anything but 0;
		// no earlier successful nightly: no baseline, no compare
		require.NoError(t, os.MkdirAll(filepath.Join(s.dir, "soak-results/nightly-shard-1"), 0o755))
		require.NoError(t, os.MkdirAll(filepath.Join(s.dir, "soak-results/nightly-shard-3"), 0o755))
		require.NoError(t, os.WriteFile(s.log, nil, 0o644))
		code, out = s.run(t, merge, env(s, tc.soaklab))
		require.Equal(t, tc.soaklab, code, "merge, soaklab exit %d: %s", tc.soaklab, out)
		require.Equal(t, "curl --fail --silent --show-error --location --header JOB-TOKEN: tok --output soak-baseline.zip https://gitlab.example/api/v4/projects/7/jobs/artifacts/main/download?job=soaklab-merge\n"+
			"merge -o soak-results/nightly soak-results/nightly-shard-1/ soak-results/nightly-shard-3/\n", s.read(t, s.log))
		require.Contains(t, out, "no baseline tonight")
		require.Contains(t, out, "Report: https://gitlab.example/acme/shop/-/jobs/99/artifacts/file/soak-results/nightly/report/index.html")
	}

	// With last night's report: merge, then compare against it; a
	// regression fails the job although every cell is GO.
	if _, err := exec.LookPath("unzip"); err == nil {
		s := newSandbox(t)
		require.NoError(t, os.WriteFile(filepath.Join(s.dir, "stubs", "curl"), []byte(stubCurl), 0o755))
		require.NoError(t, os.MkdirAll(filepath.Join(s.dir, "soak-results/nightly-shard-1"), 0o755))
		zip := filepath.Join(s.dir, "baseline.zip")
		writeZip(t, zip, "soak-results/nightly/run.json", "{}")
		e := env(s, 0)
		e["BASELINE_ZIP"] = zip
		e["STUB_COMPARE_CODE"] = "1"
		code, out := s.run(t, merge, e)
		require.Equal(t, 1, code, out)
		require.Contains(t, s.read(t, s.log), "compare soak-baseline/soak-results/nightly soak-results/nightly\n")
		require.Contains(t, out, "Against the last successful nightly")
	}

	s := newSandbox(t)
	code, _ := s.run(t, merge, env(s, 0))
	require.Equal(t, 3, code, "nothing to merge is a harness failure")

	s = newSandbox(t)
	code, out := s.run(t, install, map[string]string{"SOAKLAB_VERSION": "latest", "CI_PROJECT_DIR": s.dir})
	require.Equal(t, 2, code, out)
}

func writeZip(t *testing.T, path, name, content string) {
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	w, err := zw.Create(name)
	require.NoError(t, err)
	_, err = w.Write([]byte(content))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestScriptsShellcheck lints what actionlint does not see: the composite
// action's scripts and the GitLab template's.
func TestScriptsShellcheck(t *testing.T) {
	t.Parallel()
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck not installed (CI installs it)")
	}
	scripts := map[string]string{"action install": actionStep(t, "install"), "action run": actionStep(t, "run")}
	doc := gitlabTemplate(t, map[string]string{"soaklab-version": "v0.1.0"})
	scripts["gitlab before_script"] = jobScript(doc, ".soaklab", "before_script")
	scripts["gitlab shard"] = jobScript(doc, "soaklab-shard", "script")
	scripts["gitlab merge"] = jobScript(doc, "soaklab-merge", "script")
	for name, body := range scripts {
		require.NotContains(t, body, "${{", "%s: expressions belong in env:, not in scripts", name)
		f := filepath.Join(t.TempDir(), "script.sh")
		require.NoError(t, os.WriteFile(f, []byte("#!/bin/bash\n"+body), 0o644))
		out, err := exec.Command(sc, "-s", "bash", f).CombinedOutput()
		assert.NoError(t, err, "%s:\n%s", name, out)
	}
}

// TestWorkflowBaselineScript: whatever goes wrong fetching last night's
// report, the step passes and the night is judged alone.
func TestWorkflowBaselineScript(t *testing.T) {
	t.Parallel()
	script := workflowStep(t, "merge", "baseline")
	cases := []struct {
		name, gh, want, output string
	}{
		{"no gh", "", "gh) is not installed", ""},
		{"no permission", "echo 'HTTP 403' >&2; exit 1", "cannot read the default branch", ""},
		{"first night", `case "$1" in api) echo main ;; run) echo "" ;; esac`, "no earlier successful run of nightly.yml on main", ""},
		{"expired", `case "$1 $2" in "api "*) echo main ;; "run list") echo 41 ;; *) exit 1 ;; esac`, "run 41 has no soak-report artifact", ""},
		{"found", `case "$1 $2" in "api "*) echo main ;; "run list") echo 41 ;; "run download") mkdir -p soak-baseline ;; esac`, "", "dir=soak-baseline\nrun=41\nurl=https://github.com/acme/shop/actions/runs/41\n"},
	}
	for _, tc := range cases {
		s := newSandbox(t)
		path := filepath.Join(s.dir, "stubs") + ":/usr/bin:/bin"
		if tc.gh != "" {
			require.NoError(t, os.WriteFile(filepath.Join(s.dir, "stubs", "gh"), []byte("#!/bin/bash\n"+tc.gh+"\n"), 0o755))
		}
		code, out := s.run(t, script, map[string]string{"PATH": path, "GH_TOKEN": "t", "REPORT": "soak-report",
			"GITHUB_WORKFLOW_REF": "acme/shop/.github/workflows/nightly.yml@refs/heads/main", "GITHUB_REPOSITORY": "acme/shop",
			"GITHUB_SERVER_URL": "https://github.com"})
		require.Equal(t, 0, code, "%s: %s", tc.name, out)
		require.Contains(t, out, tc.want, tc.name)
		require.Equal(t, tc.output, s.read(t, s.output), tc.name)
	}
}
