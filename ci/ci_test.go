package ci

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/require"
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
	reusable, err := filepath.Glob("../.github/workflows/*.yml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	require.NotEmpty(t, reusable)
	for _, e := range lint(t, append(files, reusable...)) {
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

// TestGitHubPiecesFitTogether checks the names that tie the reusable
// workflow's jobs, the action and the artifacts together.
func TestGitHubPiecesFitTogether(t *testing.T) {
	t.Parallel()
	var w wfFile
	readYAML(t, "../.github/workflows/soak-nightly.yml", &w)
	var a actionFile
	readYAML(t, "github/action/action.yml", &a)

	plan, shard, merge := w.Jobs["plan"], w.Jobs["shard"], w.Jobs["merge"]
	require.NotNil(t, plan)
	require.Equal(t, "${{ fromJSON(needs.plan.outputs.shards) }}", shard.Strategy.Matrix["shard"], "one shard job per planned shard")
	require.Equal(t, []string{"plan", "shard"}, merge.needs())
	require.Equal(t, "${{ !cancelled() }}", merge.If, "the merge must run when a shard reports NO-GO")

	var soak, upload wfStep
	for _, s := range shard.Steps {
		if strings.HasPrefix(s.Uses, "soaklab/soaklab/ci/github/action@") {
			soak = s
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			upload = s
		}
	}
	require.Equal(t, "${{ matrix.shard }}/${{ inputs.shards }}", soak.With["shard"], "shard i of the number of shard jobs, or cells are lost")
	require.Equal(t, upload.With["path"], soak.With["results"].(string)+"/"+soak.With["run-id"].(string), "the uploaded directory is the shard's run")
	for k := range soak.With {
		require.Contains(t, a.Inputs, k, "the action has no input %q", k)
	}
	for k, in := range a.Inputs {
		_, given := soak.With[k]
		require.True(t, given || !in.Required, "required input %s not given", k)
	}

	var pattern, fetched, report string
	for _, s := range merge.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "actions/download-artifact@"):
			pattern = s.With["pattern"].(string)
		case s.ID == "baseline":
			fetched = s.Env["REPORT"]
		case s.ID == "upload":
			report = s.With["name"].(string)
		}
	}
	require.Equal(t, strings.ReplaceAll(upload.With["name"].(string), "${{ matrix.shard }}", "*"), pattern, "merge downloads what the shards upload")
	require.Equal(t, report, fetched, "the baseline is the report artifact a previous run uploaded")
	require.Contains(t, merge.Outputs["exit-code"], "steps.verdict.outputs.exit-code")
	require.Contains(t, w.On.WorkflowCall.Outputs["exit-code"].Value, "jobs.merge.outputs.exit-code")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func TestGitLabTemplate(t *testing.T) {
	t.Parallel()
	doc := gitlabTemplate(t, map[string]string{"soaklab-version": "v0.1.0", "shards": "3"})
	keywords := map[string]bool{"stages": true, "variables": true, "default": true, "include": true, "workflow": true}
	jobs := map[string]map[string]any{}
	for name, v := range doc {
		if keywords[name] {
			continue
		}
		job, ok := v.(map[string]any)
		require.True(t, ok, "job %s is not a mapping", name)
		jobs[name] = job
	}
	_, hasStages := doc["stages"]
	require.False(t, hasStages, "an include must not replace the user's stages")
	for name, job := range jobs {
		if strings.HasPrefix(name, ".") {
			continue
		}
		require.Equal(t, ".soaklab", job["extends"], name)
		_, hasWhen := job["when"]
		_, hasRules := job["rules"]
		require.False(t, hasWhen && hasRules, "job %s: GitLab rejects when: together with rules:", name)
		for _, n := range needs(job["needs"]) {
			require.Contains(t, jobs, n, "job %s needs an unknown job", name)
		}
	}
	require.Equal(t, "test", jobs[".soaklab"]["stage"], "the default stage exists in every project")
	require.Equal(t, 3, jobs["soaklab-shard"]["parallel"], "shards is an input")
	merge := jobs["soaklab-merge"]
	require.Equal(t, []string{"soaklab-shard"}, needs(merge["needs"]))
	for _, r := range merge["rules"].([]any) {
		require.Equal(t, "always", r.(map[string]any)["when"], "merge runs even when a shard failed")
	}
	arts := merge["artifacts"].(map[string]any)
	require.Equal(t, "soak-results/nightly/junit.xml", arts["reports"].(map[string]any)["junit"])
	require.Contains(t, strs(arts["paths"]), "soak-results/nightly/")
	require.Contains(t, strs(jobs["soaklab-shard"]["artifacts"].(map[string]any)["paths"]), "soak-results/")
	require.Contains(t, jobScript(doc, "soaklab-merge", "script"), "job=${CI_JOB_NAME}", "the baseline is this job's report from the last successful pipeline")
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
