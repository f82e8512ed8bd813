package ci

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// This file is a local stand-in for the GitHub Actions runner, enough to run
// soaklab's shipped workflow files as they are, on this host, in a user's
// scratch repository: the caller workflow, the reusable workflow it calls
// and the composite action, with their `run:` scripts executed by bash as
// the runner does (`bash --noprofile --norc -eo pipefail`), their `if:` and
// `${{ }}` expressions evaluated (expr_test.go), the runner's files
// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY), job
// outputs, needs, and a job matrix whose legs run in parallel. What cannot
// run here is stood in for, and says so in the log: actions/checkout copies
// the user's repository, actions/setup-go keeps the host's Go,
// upload/download-artifact copy directories to and from this run's artifact
// store, and `soaklab/soaklab/...@ref` resolves to this checkout's files
// (what a release tag would serve).

type wfInput struct {
	Type    string `yaml:"type"`
	Default any    `yaml:"default"`
}

type wfFile struct {
	Name string `yaml:"name"`
	On   struct {
		WorkflowCall struct {
			Inputs  map[string]wfInput `yaml:"inputs"`
			Outputs map[string]struct {
				Value string `yaml:"value"`
			} `yaml:"outputs"`
		} `yaml:"workflow_call"`
	} `yaml:"on"`
	Env  map[string]string `yaml:"env"`
	Jobs map[string]*wfJob `yaml:"jobs"`
}

type wfJob struct {
	Name     string            `yaml:"name"`
	Needs    any               `yaml:"needs"`
	If       string            `yaml:"if"`
	Uses     string            `yaml:"uses"`
	With     map[string]any    `yaml:"with"`
	Env      map[string]string `yaml:"env"`
	Outputs  map[string]string `yaml:"outputs"`
	Strategy struct {
		Matrix map[string]any `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []wfStep `yaml:"steps"`
}

type wfStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	With  map[string]any    `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

type actionFile struct {
	Inputs map[string]struct {
		Required bool   `yaml:"required"`
		Default  string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string   `yaml:"using"`
		Steps []wfStep `yaml:"steps"`
	} `yaml:"runs"`
}

func (j *wfJob) needs() []string {
	switch n := j.Needs.(type) {
	case string:
		return []string{n}
	case []any:
		out := make([]string, len(n))
		for i, x := range n {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	return nil
}

// ghRun is one workflow run: its id, its artifact store and its log.
type ghRun struct {
	t         *testing.T
	id        int
	root      string            // where workspaces, temp dirs and artifacts go
	repo      string            // the user's repository, copied by actions/checkout
	soaklab   string            // this checkout, served for soaklab/soaklab/...
	env       map[string]string // the runner machine's environment
	github    map[string]any    // the github context
	artifacts string

	mu          sync.Mutex
	log         strings.Builder
	summary     strings.Builder // every job's step summaries, in order
	nextArtID   int
	stepCodes   map[string]int // "job/leg step" → exit code of run: steps
	jobResults  map[string]string
	lastOutputs map[string]string // the last reusable workflow's outputs
}

func newGHRun(t *testing.T, id int, root, repo, soaklab string, env map[string]string, github map[string]any) *ghRun {
	r := &ghRun{t: t, id: id, root: root, repo: repo, soaklab: soaklab, env: env, github: github,
		artifacts: filepath.Join(root, "artifacts"), stepCodes: map[string]int{}, jobResults: map[string]string{}}
	require.NoError(t, os.MkdirAll(r.artifacts, 0o755))
	return r
}

func (r *ghRun) logf(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.log, format+"\n", a...)
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, v), path)
}

// runCaller runs a caller workflow (jobs that `uses:` a reusable workflow)
// and returns whether it succeeded.
func (r *ghRun) runCaller(path string) bool {
	var w wfFile
	readYAML(r.t, path, &w)
	ok := true
	for _, name := range order(r.t, w.Jobs) {
		j := w.Jobs[name]
		require.NotEmpty(r.t, j.Uses, "caller job %s", name)
		ctx := &exprCtx{vars: map[string]any{"github": r.github}}
		with := map[string]any{}
		for k, v := range j.With {
			if s, isStr := v.(string); isStr {
				iv, err := ctx.interpolate(s)
				require.NoError(r.t, err)
				v = iv
			}
			with[k] = v
		}
		success, outs := r.runReusable(r.resolve(j.Uses), with)
		r.lastOutputs = outs
		ok = ok && success
	}
	return ok
}

// resolve maps soaklab/soaklab/<path>@<ref> to this checkout's file.
func (r *ghRun) resolve(uses string) string {
	rest, ok := strings.CutPrefix(uses, "soaklab/soaklab/")
	require.True(r.t, ok, "only soaklab's own workflows and actions are resolved here: %s", uses)
	p, _, _ := strings.Cut(rest, "@")
	return filepath.Join(r.soaklab, filepath.FromSlash(p))
}

// runReusable runs a reusable workflow with the given inputs and returns
// whether it succeeded and its outputs.
func (r *ghRun) runReusable(path string, with map[string]any) (bool, map[string]string) {
	var w wfFile
	readYAML(r.t, path, &w)
	inputs := map[string]any{}
	for k, in := range w.On.WorkflowCall.Inputs {
		v, given := with[k]
		if !given {
			v = in.Default
		}
		switch in.Type {
		case "number":
			switch n := v.(type) {
			case int:
				v = float64(n)
			case string:
				f, err := strconv.ParseFloat(n, 64)
				require.NoError(r.t, err, "input %s", k)
				v = f
			}
		case "boolean":
			if s, isStr := v.(string); isStr {
				v = s == "true"
			}
		}
		inputs[k] = v
	}
	for k := range with {
		_, known := w.On.WorkflowCall.Inputs[k]
		require.True(r.t, known, "%s has no input %q", path, k)
	}
	needs := map[string]any{}
	ok := true
	for _, name := range order(r.t, w.Jobs) {
		j := w.Jobs[name]
		jneeds := map[string]any{}
		depsOK := true
		for _, n := range j.needs() {
			jneeds[n] = needs[n]
			depsOK = depsOK && property(needs[n], "result") == "success"
		}
		ctx := &exprCtx{vars: map[string]any{"github": r.github, "inputs": inputs, "needs": jneeds}, failed: !depsOK}
		run, err := ctx.cond(j.If)
		require.NoError(r.t, err, "job %s if", name)
		if !run {
			r.logf("== job %s: skipped", name)
			needs[name] = map[string]any{"result": "skipped", "outputs": map[string]any{}}
			continue
		}
		result, outputs := r.runJob(name, j, w.Env, ctx)
		needs[name] = map[string]any{"result": result, "outputs": outputs}
		r.mu.Lock()
		r.jobResults[name] = result
		r.mu.Unlock()
		ok = ok && result == "success"
	}
	outs := map[string]string{}
	jobs := &exprCtx{vars: map[string]any{"jobs": needs}}
	for k, o := range w.On.WorkflowCall.Outputs {
		s, err := jobs.str(o.Value)
		require.NoError(r.t, err)
		outs[k] = s
	}
	return ok, outs
}

// order sorts jobs so that each comes after what it needs.
func order(t *testing.T, jobs map[string]*wfJob) []string {
	var out []string
	done := map[string]bool{}
	names := make([]string, 0, len(jobs))
	for n := range jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	for len(out) < len(jobs) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for _, d := range jobs[n].needs() {
				require.Contains(t, jobs, d, "job %s needs unknown job %s", n, d)
				ready = ready && done[d]
			}
			if ready {
				done[n], progress = true, true
				out = append(out, n)
			}
		}
		require.True(t, progress, "jobs need each other in a cycle")
	}
	return out
}

// runJob runs every leg of a job's matrix in parallel, each in a fresh
// workspace, and returns "success" or "failure" and the job's outputs.
func (r *ghRun) runJob(name string, j *wfJob, wfEnv map[string]string, ctx *exprCtx) (string, map[string]any) {
	legs := []map[string]any{nil}
	for k, v := range j.Strategy.Matrix {
		s, isStr := v.(string)
		if isStr {
			iv, err := ctx.interpolate(s)
			require.NoError(r.t, err)
			v = iv
		}
		values, isList := v.([]any)
		require.True(r.t, isList, "job %s: matrix.%s is not a list: %v", name, k, v)
		var next []map[string]any
		for _, leg := range legs {
			for _, x := range values {
				m := map[string]any{}
				for kk, vv := range leg {
					m[kk] = vv
				}
				if n, isInt := x.(int); isInt {
					x = float64(n)
				}
				m[k] = x
				next = append(next, m)
			}
		}
		legs = next
	}
	type legResult struct {
		ok      bool
		outputs map[string]any
	}
	results := make([]legResult, len(legs))
	var wg sync.WaitGroup
	for i, leg := range legs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			label := name
			if leg != nil {
				label = fmt.Sprintf("%s-%d", name, i+1)
			}
			ok, outs := r.runLeg(label, j, wfEnv, ctx, leg)
			results[i] = legResult{ok, outs}
		}()
	}
	wg.Wait()
	result, outputs := "success", map[string]any{}
	for _, lr := range results {
		if !lr.ok {
			result = "failure"
		}
		for k, v := range lr.outputs {
			outputs[k] = v
		}
	}
	return result, outputs
}

// leg is one job (or matrix leg) in progress.
type leg struct {
	r          *ghRun
	label      string
	workspace  string
	temp       string
	env        map[string]string // GITHUB_ENV additions
	path       []string          // GITHUB_PATH additions, newest first
	failed     bool
	summaryOut strings.Builder
}

func (r *ghRun) runLeg(label string, j *wfJob, wfEnv map[string]string, jobCtx *exprCtx, matrix map[string]any) (bool, map[string]any) {
	l := &leg{r: r, label: label, workspace: filepath.Join(r.root, "work", label), temp: filepath.Join(r.root, "temp", label), env: map[string]string{}}
	require.NoError(r.t, os.MkdirAll(l.workspace, 0o755))
	require.NoError(r.t, os.MkdirAll(l.temp, 0o755))
	steps := map[string]any{}
	vars := map[string]any{}
	for k, v := range jobCtx.vars {
		vars[k] = v
	}
	vars["matrix"] = map[string]any{}
	if matrix != nil {
		vars["matrix"] = matrix
	}
	vars["steps"] = steps
	vars["runner"] = map[string]any{"temp": l.temp, "os": "Linux"}
	ctx := &exprCtx{vars: vars}
	envCtx := map[string]any{}
	vars["env"] = envCtx
	base := map[string]string{}
	for _, m := range []map[string]string{wfEnv, j.Env} {
		for k, v := range m {
			s, err := ctx.str(v)
			require.NoError(r.t, err)
			base[k] = s
			envCtx[k] = s
		}
	}
	r.logf("== job %s (matrix %v)", label, matrix)
	for i, s := range j.Steps {
		l.step(ctx, steps, base, s, fmt.Sprintf("%s step %d", label, i+1))
	}
	outputs := map[string]any{}
	for k, v := range j.Outputs {
		s, err := ctx.str(v)
		require.NoError(r.t, err)
		outputs[k] = s
	}
	r.mu.Lock()
	r.summary.WriteString(l.summaryOut.String())
	r.mu.Unlock()
	return !l.failed, outputs
}

// step runs one step: a run: script, a composite action, or a stand-in
// for an action that cannot run here.
func (l *leg) step(ctx *exprCtx, steps map[string]any, base map[string]string, s wfStep, label string) {
	r := l.r
	ctx.failed = l.failed
	run, err := ctx.cond(s.If)
	require.NoError(r.t, err, "%s: if", label)
	name, _ := ctx.str(s.Name)
	if name == "" {
		name = s.Uses + strings.SplitN(s.Run, "\n", 2)[0]
	}
	if !run {
		r.logf("-- %s (%s): skipped", label, name)
		if s.ID != "" {
			steps[s.ID] = map[string]any{"outputs": map[string]any{}, "outcome": "skipped", "conclusion": "skipped"}
		}
		return
	}
	env := map[string]string{}
	for k, v := range base {
		env[k] = v
	}
	for k, v := range s.Env {
		sv, err := ctx.str(v)
		require.NoError(r.t, err, "%s: env.%s", label, k)
		env[k] = sv
	}
	with := map[string]string{}
	for k, v := range s.With {
		sv, err := ctx.str(fmt.Sprint(v))
		require.NoError(r.t, err, "%s: with.%s", label, k)
		with[k] = sv
	}
	r.logf("-- %s: %s", label, name)
	outputs := map[string]any{}
	ok := true
	switch {
	case s.Run != "":
		require.NotContains(r.t, s.Run, "${{", "%s: expressions belong in env:, not in scripts (injection)", label)
		code, outs := l.script(s.Run, env, label)
		r.mu.Lock()
		r.stepCodes[label] = code
		r.mu.Unlock()
		ok = code == 0
		for k, v := range outs {
			outputs[k] = v
		}
	case strings.HasPrefix(s.Uses, "actions/checkout@"):
		require.NoError(r.t, os.CopyFS(l.workspace, os.DirFS(r.repo)))
		r.logf("   (stand-in: copied the user's repository into the workspace)")
	case strings.HasPrefix(s.Uses, "actions/setup-go@"):
		_, err := exec.LookPath("go")
		require.NoError(r.t, err, "setup-go's stand-in is the host's Go")
		r.logf("   (stand-in: the host's Go for go-version %s)", with["go-version"])
	case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
		outputs = l.upload(with)
	case strings.HasPrefix(s.Uses, "actions/download-artifact@"):
		l.download(with)
	case strings.HasPrefix(s.Uses, "soaklab/soaklab/"):
		ok, outputs = l.composite(r.resolve(s.Uses), with, base)
	default:
		r.t.Fatalf("%s: no stand-in for %s", label, s.Uses)
	}
	if !ok {
		l.failed = true
	}
	if s.ID != "" {
		outcome := "success"
		if !ok {
			outcome = "failure"
		}
		steps[s.ID] = map[string]any{"outputs": outputs, "outcome": outcome, "conclusion": outcome}
	}
}

// composite runs a composite action's steps with its inputs and returns
// whether it succeeded and its outputs.
func (l *leg) composite(dir string, with map[string]string, base map[string]string) (bool, map[string]any) {
	r := l.r
	var a actionFile
	readYAML(r.t, filepath.Join(dir, "action.yml"), &a)
	require.Equal(r.t, "composite", a.Runs.Using)
	inputs := map[string]any{}
	for k, in := range a.Inputs {
		v, given := with[k]
		require.True(r.t, given || !in.Required, "action input %s is required", k)
		if !given {
			v = in.Default
		}
		inputs[k] = v
	}
	for k := range with {
		_, known := a.Inputs[k]
		require.True(r.t, known, "the action has no input %q", k)
	}
	steps := map[string]any{}
	ctx := &exprCtx{vars: map[string]any{"inputs": inputs, "steps": steps, "github": r.github,
		"runner": map[string]any{"temp": l.temp, "os": "Linux"}}}
	env := map[string]string{"GITHUB_ACTION_PATH": dir}
	for k, v := range base {
		env[k] = v
	}
	failedBefore := l.failed
	l.failed = false
	for i, s := range a.Runs.Steps {
		require.Equal(r.t, "bash", s.Shell, "composite steps must name their shell")
		l.step(ctx, steps, env, s, fmt.Sprintf("%s action step %d", l.label, i+1))
	}
	ok := !l.failed
	l.failed = failedBefore
	outputs := map[string]any{}
	for k, o := range a.Outputs {
		s, err := ctx.str(o.Value)
		require.NoError(r.t, err)
		outputs[k] = s
	}
	return ok, outputs
}

// script runs a run: script as the runner does and returns its exit code
// and the outputs it wrote.
func (l *leg) script(body string, stepEnv map[string]string, label string) (int, map[string]string) {
	r := l.r
	files := map[string]string{}
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		files[f] = filepath.Join(l.temp, strings.ToLower(f))
		require.NoError(r.t, os.WriteFile(files[f], nil, 0o644))
	}
	scriptFile := filepath.Join(l.temp, "step.sh")
	require.NoError(r.t, os.WriteFile(scriptFile, []byte(body), 0o644))
	env := map[string]string{}
	for k, v := range r.env {
		env[k] = v
	}
	env["PATH"] = strings.Join(append(append([]string{}, l.path...), r.env["PATH"]), ":")
	for k, v := range l.env {
		env[k] = v
	}
	for k, v := range stepEnv {
		env[k] = v
	}
	for k, v := range files {
		env[k] = v
	}
	env["GITHUB_WORKSPACE"], env["RUNNER_TEMP"] = l.workspace, l.temp
	env["CI"], env["GITHUB_ACTIONS"], env["RUNNER_OS"] = "true", "true", "Linux"
	for k, v := range map[string]string{"GITHUB_REPOSITORY": "repository", "GITHUB_RUN_ID": "run_id",
		"GITHUB_SERVER_URL": "server_url", "GITHUB_WORKFLOW_REF": "workflow_ref", "GITHUB_REF": "ref"} {
		env[k] = toString(r.github[v])
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile)
	cmd.Dir = l.workspace
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(r.t, err, label)
	}
	r.logf("%s   (exit %d)", indent(string(out)), code)
	outputs := readKV(r.t, files["GITHUB_OUTPUT"])
	for k, v := range readKV(r.t, files["GITHUB_ENV"]) {
		l.env[k] = v
	}
	if data, _ := os.ReadFile(files["GITHUB_PATH"]); len(data) > 0 {
		for _, p := range strings.Fields(string(data)) {
			l.path = append([]string{p}, l.path...)
		}
	}
	if data, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"]); len(data) > 0 {
		l.summaryOut.Write(data)
	}
	for _, f := range files {
		os.Remove(f)
	}
	return code, outputs
}

// readKV reads a GITHUB_OUTPUT or GITHUB_ENV file: name=value lines and
// name<<DELIMITER blocks.
func readKV(t *testing.T, path string) map[string]string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if k, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(k, "=") {
			var val []string
			for sc.Scan() && sc.Text() != delim {
				val = append(val, sc.Text())
			}
			out[k] = strings.Join(val, "\n")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// upload stands in for actions/upload-artifact: the directory is copied to
// this run's artifact store under the artifact's name.
func (l *leg) upload(with map[string]string) map[string]any {
	r := l.r
	name, src := with["name"], filepath.Join(l.workspace, with["path"])
	require.NotEmpty(r.t, name)
	if _, err := os.Stat(src); err != nil {
		require.NotEqual(r.t, "error", with["if-no-files-found"], "upload %s: %s missing", name, with["path"])
		r.logf("   (stand-in upload-artifact: warning: no files at %s)", with["path"])
		return map[string]any{}
	}
	dst := filepath.Join(r.artifacts, name)
	_, err := os.Stat(dst)
	require.True(r.t, errors.Is(err, os.ErrNotExist), "artifact %s uploaded twice in one run", name)
	require.NoError(r.t, os.CopyFS(dst, os.DirFS(src)))
	r.mu.Lock()
	r.nextArtID++
	id := r.id*100 + r.nextArtID
	r.mu.Unlock()
	url := fmt.Sprintf("%s/%s/actions/runs/%d/artifacts/%d", r.github["server_url"], r.github["repository"], r.id, id)
	r.logf("   (stand-in upload-artifact: %s → artifact %s, %s)", with["path"], name, url)
	return map[string]any{"artifact-id": strconv.Itoa(id), "artifact-url": url}
}

// download stands in for actions/download-artifact: artifacts matching the
// pattern (or the name) are copied into path/<artifact name>/.
func (l *leg) download(with map[string]string) {
	r := l.r
	entries, err := os.ReadDir(r.artifacts)
	require.NoError(r.t, err)
	dest := filepath.Join(l.workspace, with["path"])
	n := 0
	for _, e := range entries {
		if (with["pattern"] != "" && globMatch(with["pattern"], e.Name())) || with["name"] == e.Name() {
			require.NoError(r.t, os.CopyFS(filepath.Join(dest, e.Name()), os.DirFS(filepath.Join(r.artifacts, e.Name()))))
			n++
		}
	}
	r.logf("   (stand-in download-artifact: %d artifacts matching %q into %s)", n, with["pattern"]+with["name"], with["path"])
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "   | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n   | ") + "\n"
}
