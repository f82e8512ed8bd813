package ci

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
  merge) mkdir -p results/nightly && echo "# soaklab: 2 GO, 1 NO-GO" > results/nightly/summary.md ;;
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

type ghStep struct {
	Name string            `yaml:"name"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

// ghScripts returns the run: scripts of a job's steps by step id order.
func ghScripts(t *testing.T) map[string][]ghStep {
	data, err := os.ReadFile("github/nightly-soak.yml")
	require.NoError(t, err)
	var w struct {
		Jobs map[string]struct {
			Steps []ghStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &w))
	out := map[string][]ghStep{}
	for name, j := range w.Jobs {
		for _, s := range j.Steps {
			if s.Run != "" {
				out[name] = append(out[name], s)
			}
		}
	}
	return out
}

func step(t *testing.T, steps []ghStep, contains string) string {
	for _, s := range steps {
		if strings.Contains(s.Run, contains) {
			return s.Run
		}
	}
	t.Fatalf("no step runs %q", contains)
	return ""
}

func TestGitHubShardScript(t *testing.T) {
	t.Parallel()
	script := step(t, ghScripts(t)["shard"], "soaklab run")
	cases := []struct {
		soaklab, want int
	}{
		{0, 0}, // all GO: the shard passes
		{1, 0}, // NO-GO: the shard passes so the merge runs and decides
		{2, 2}, // bad matrix: the shard fails
		{3, 3}, // harness failure: the shard fails
	}
	for _, tc := range cases {
		s := newSandbox(t)
		code, out := s.run(t, script, map[string]string{"STUB_CODE": itoa(tc.soaklab), "SHARD": "2", "SHARDS": "4",
			"SOAKLAB_MATRIX": "ci/nightly.yaml"})
		require.Equal(t, tc.want, code, "soaklab exit %d: %s", tc.soaklab, out)
		require.Equal(t, "run --shard 2/4 -m ci/nightly.yaml --results results --run-id nightly-shard-2\n", s.read(t, s.log))
		require.Contains(t, s.read(t, s.output), "code="+itoa(tc.soaklab))
		require.FileExists(t, filepath.Join(s.dir, "results/nightly-shard-2/run.json"), "the directory the artifact uploads")
	}
}

func TestGitHubMergeAndVerdictScripts(t *testing.T) {
	t.Parallel()
	steps := ghScripts(t)["merge"]
	merge, verdict := step(t, steps, "soaklab merge"), step(t, steps, "CODE")
	cases := []struct {
		shards  []string
		soaklab int
		want    string // code= written for the verdict step
		log     string
	}{
		// two shards merged, every cell GO
		{[]string{"soak-shard-2", "soak-shard-1"}, 0, "0", "merge -o results/nightly shards/soak-shard-1 shards/soak-shard-2\n"},
		// NO-GO is passed on to the verdict step, and the summary still written
		{[]string{"soak-shard-1"}, 1, "1", "merge -o results/nightly shards/soak-shard-1\n"},
		// no shard uploaded anything: a harness failure, merge not called
		{nil, 0, "3", ""},
	}
	for _, tc := range cases {
		s := newSandbox(t)
		for _, d := range tc.shards {
			require.NoError(t, os.MkdirAll(filepath.Join(s.dir, "shards", d), 0o755))
		}
		code, out := s.run(t, merge, map[string]string{"STUB_CODE": itoa(tc.soaklab)})
		require.Equal(t, 0, code, "the merge step leaves failing to the verdict step: %s", out)
		require.Equal(t, tc.log, s.read(t, s.log))
		require.Contains(t, s.read(t, s.output), "code="+tc.want)
		if tc.shards != nil {
			require.Equal(t, "# soaklab: 2 GO, 1 NO-GO\n", s.read(t, s.summary), "summary.md lands in the job summary")
		}
	}
	for _, c := range []int{0, 1, 2, 3} {
		s := newSandbox(t)
		code, out := s.run(t, verdict, map[string]string{"CODE": itoa(c)})
		require.Equal(t, c, code, "verdict on merge exit %d: %s", c, out)
	}
}

func TestGitLabScripts(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("gitlab/nightly-soak.gitlab-ci.yml")
	require.NoError(t, err)
	type job struct {
		Script []string `yaml:"script"`
	}
	var doc struct {
		Soak  job `yaml:"soak"`
		Merge job `yaml:"merge"`
	}
	require.NoError(t, yaml.Unmarshal(data, &doc))
	soak, merge := strings.Join(doc.Soak.Script, "\n"), strings.Join(doc.Merge.Script, "\n")
	env := func(code int) map[string]string {
		return map[string]string{"STUB_CODE": itoa(code), "CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "4",
			"SOAKLAB_MATRIX": "ci/nightly.yaml"}
	}
	for _, tc := range []struct{ soaklab, want int }{{0, 0}, {1, 0}, {2, 2}, {3, 3}} {
		// a shard passes on GO and NO-GO, fails on 2 and 3
		s := newSandbox(t)
		code, out := s.run(t, soak, env(tc.soaklab))
		require.Equal(t, tc.want, code, "shard, soaklab exit %d: %s", tc.soaklab, out)
		require.Equal(t, "run --shard 3/4 -m ci/nightly.yaml --results results --run-id nightly-shard-3\n", s.read(t, s.log))

		// the merge joins every shard directory and fails on anything but 0
		require.NoError(t, os.MkdirAll(filepath.Join(s.dir, "results/nightly-shard-1"), 0o755))
		require.NoError(t, os.WriteFile(s.log, nil, 0o644))
		code, out = s.run(t, merge, env(tc.soaklab))
		require.Equal(t, tc.soaklab, code, "merge, soaklab exit %d: %s", tc.soaklab, out)
		require.Equal(t, "merge -o results/nightly results/nightly-shard-1/ results/nightly-shard-3/\n", s.read(t, s.log))
		require.Contains(t, out, "# soaklab: 2 GO, 1 NO-GO", "summary.md printed in the job log")
	}
	s := newSandbox(t)
	code, _ := s.run(t, merge, env(0))
	require.Equal(t, 3, code, "nothing to merge is a harness failure")
}

func itoa(n int) string { return strconv.Itoa(n) }
