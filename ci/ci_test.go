package ci

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// lint runs actionlint (as a library) on files and returns its errors.
// shellcheck checks the run: scripts when it is installed.
func lint(t *testing.T, files []string) []*actionlint.Error {
	t.Helper()
	opts := &actionlint.LinterOptions{Oneline: true}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, opts)
	require.NoError(t, err)
	errs, err := l.LintFiles(files, nil)
	require.NoError(t, err)
	return errs
}

func TestGitHubWorkflowsLint(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("github/*.yml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, e := range lint(t, files) {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
}

func TestActionlintCatchesMistakes(t *testing.T) {
	t.Parallel()
	errs := lint(t, []string{"testdata/broken.yml"})
	kinds := map[string]bool{}
	for _, e := range errs {
		kinds[e.Kind] = true
	}
	// a bad cron minute, a misspelt matrix key and an unknown action input
	require.True(t, kinds["events"], "bad cron not found: %v", errs)
	require.True(t, kinds["expression"], "matrix.shrad not found: %v", errs)
	require.True(t, kinds["action"], "unknown input not found: %v", errs)
}

// workflow is the part of a GitHub workflow the sharding checks read.
type workflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Needs    any `yaml:"needs"`
		If       string
		Strategy struct {
			Matrix struct {
				Shard []int `yaml:"shard"`
			} `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func TestGitHubShardingFitsTogether(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("github/nightly-soak.yml")
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(data, &w))

	shard, merge := w.Jobs["shard"], w.Jobs["merge"]
	shards := shard.Strategy.Matrix.Shard
	require.Equal(t, []int{1, 2, 3, 4}[:len(shards)], shards, "shards are numbered 1..N")
	require.Equal(t, len(shards), atoi(t, w.Env["SHARDS"]), "SHARDS must equal the number of shard jobs, or cells are lost")
	require.Equal(t, "shard", merge.Needs)
	require.Equal(t, "${{ !cancelled() }}", merge.If, "the merge must run when a shard reports NO-GO")

	var runScript, uploaded, pattern, mergeScript, verdict string
	for _, s := range shard.Steps {
		if strings.Contains(s.Run, "soaklab run") {
			runScript = s.Run
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") {
			uploaded = s.With["path"]
			pattern = strings.ReplaceAll(s.With["name"], "${{ matrix.shard }}", "*")
		}
	}
	for _, s := range merge.Steps {
		if strings.HasPrefix(s.Uses, "actions/download-artifact") {
			require.Equal(t, pattern, s.With["pattern"], "merge downloads what the shards upload")
		}
		if strings.Contains(s.Run, "soaklab merge") {
			mergeScript = s.Run
		}
		if strings.Contains(s.Run, "exit 1") {
			verdict = s.Run
		}
	}
	require.Contains(t, runScript, `--shard "${SHARD}/${SHARDS}"`)
	require.Contains(t, runScript, `--run-id "nightly-shard-${SHARD}"`)
	require.Equal(t, "results/nightly-shard-${{ matrix.shard }}", uploaded, "the uploaded directory is the run's")
	require.Contains(t, runScript, "1) echo", "exit 1 (NO-GO) does not fail a shard")
	require.Regexp(t, `2\)[^\n]*exit 2`, runScript, "exit 2 (bad matrix) fails a shard")
	require.Regexp(t, `\*\)[^\n]*exit "\$\{code\}"`, runScript, "exit 3 (harness) fails a shard")
	require.Contains(t, mergeScript, "-o results/nightly")
	require.Contains(t, mergeScript, `>> "$GITHUB_STEP_SUMMARY"`)
	require.Contains(t, mergeScript, "results/nightly/summary.md")
	require.Regexp(t, `1\)[^\n]*exit 1`, verdict, "NO-GO fails the merge job")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func TestGitLabPipeline(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("gitlab/nightly-soak.gitlab-ci.yml")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(data, &doc))

	stages := strs(doc["stages"])
	require.Equal(t, []string{"build", "soak", "report"}, stages)
	keywords := map[string]bool{"stages": true, "variables": true, "default": true, "include": true, "workflow": true}
	jobs := map[string]map[string]any{}
	for name, v := range doc {
		if keywords[name] || strings.HasPrefix(name, ".") {
			continue
		}
		job, ok := v.(map[string]any)
		require.True(t, ok, "job %s is not a mapping", name)
		jobs[name] = job
	}
	cases := []struct {
		job, stage string
	}{
		{"build", "build"},  // builds bin/soaklab once
		{"soak", "soak"},    // the N shards
		{"merge", "report"}, // joins and judges them
	}
	for _, tc := range cases {
		job, ok := jobs[tc.job]
		require.True(t, ok, "job %s missing", tc.job)
		require.Equal(t, tc.stage, job["stage"], tc.job)
	}
	for name, job := range jobs {
		require.Contains(t, stages, job["stage"], "job %s: unknown stage", name)
		_, hasWhen := job["when"]
		_, hasRules := job["rules"]
		require.False(t, hasWhen && hasRules, "job %s: GitLab rejects when: together with rules:", name)
		for _, n := range needs(job["needs"]) {
			require.Contains(t, jobs, n, "job %s needs an unknown job", name)
		}
	}
	soak := jobs["soak"]
	require.Equal(t, 4, soak["parallel"])
	script := strings.Join(strs(soak["script"]), "\n")
	require.Contains(t, script, `--shard "${CI_NODE_INDEX}/${CI_NODE_TOTAL}"`)
	require.Contains(t, script, `--run-id "nightly-shard-${CI_NODE_INDEX}"`)
	require.Contains(t, script, "1) echo", "exit 1 (NO-GO) does not fail a shard")

	merge := jobs["merge"]
	mscript := strings.Join(strs(merge["script"]), "\n")
	require.Contains(t, mscript, "soaklab merge -o results/nightly")
	require.Regexp(t, regexp.MustCompile(`1\)[^\n]*exit 1`), mscript, "NO-GO fails the merge")
	for _, r := range merge["rules"].([]any) {
		require.Equal(t, "always", r.(map[string]any)["when"], "merge runs even when a shard failed")
	}
	arts := merge["artifacts"].(map[string]any)
	require.Equal(t, "results/nightly/junit.xml", arts["reports"].(map[string]any)["junit"])
	require.Contains(t, strs(arts["paths"]), "results/nightly/")
}

func strs(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func needs(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		switch n := x.(type) {
		case string:
			out = append(out, n)
		case map[string]any:
			out = append(out, n["job"].(string))
		}
	}
	return out
}
