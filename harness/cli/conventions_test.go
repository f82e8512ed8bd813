package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// Every subcommand's -h goes to stdout with exit 0 and says what it does,
// its arguments and an example; `soaklab help <command>` says the same.
func TestHelpGolden(t *testing.T) {
	t.Parallel()
	env, out, errw := testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"help"}, env))
	assert.Empty(t, errw.String())
	golden(t, "help.golden", out.String())
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env, out, errw := testEnv()
			require.Equal(t, ExitOK, Main(context.Background(), []string{c.name, "-h"}, env), errw.String())
			assert.Empty(t, errw.String(), "help goes to stdout")
			golden(t, "help-"+c.name+".golden", out.String())
			for _, want := range []string{"soaklab " + c.name + ": ", "Usage: soaklab " + c.name, "Examples:\n  soaklab " + c.name} {
				assert.Contains(t, out.String(), want)
			}
			assert.NotEmpty(t, c.about)
			// the same after a positional argument, and through `help`
			env2, out2, _ := testEnv()
			require.Equal(t, ExitOK, Main(context.Background(), []string{"help", c.name}, env2))
			assert.Equal(t, out.String(), out2.String())
		})
	}
}

// Flags after positional arguments are honoured: `expand m.yaml --shard
// 2/2` lists shard 2's cells, not all of them.
func TestFlagsAfterPositionals(t *testing.T) {
	t.Parallel()
	m, err := matrix.Load("testdata/e2e.yaml")
	require.NoError(t, err)
	cells, err := m.Expand()
	require.NoError(t, err)
	var want [3]string // all, shard 1, shard 2
	for _, c := range cells {
		want[0] += c.ID + "\n"
		want[matrix.ShardOf(c.ID, 2)] += c.ID + "\n"
	}
	require.NotEqual(t, want[0], want[2], "the test matrix must split over 2 shards")
	tests := []struct {
		name string
		args []string
		want string
	}{
		// flag first, as always
		{"before", []string{"expand", "--shard", "2/2", "testdata/e2e.yaml"}, want[2]},
		// flag after the positional
		{"after", []string{"expand", "testdata/e2e.yaml", "--shard", "2/2"}, want[2]},
		// = form after the positional
		{"after=", []string{"expand", "testdata/e2e.yaml", "-shard=1/2"}, want[1]},
		// -- ends the flags: what follows is positional
		{"dashdash", []string{"expand", "--shard", "1/2", "--", "testdata/e2e.yaml"}, want[1]},
	}
	for _, tt := range tests {
		env, out, errw := testEnv()
		require.Equal(t, ExitOK, Main(context.Background(), tt.args, env), "%s: %s", tt.name, errw)
		assert.Equal(t, tt.want, out.String(), tt.name)
	}
	// --json after the positional too
	env, out, _ := testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"expand", "testdata/e2e.yaml", "--json"}, env))
	assert.True(t, json.Valid(out.Bytes()), out.String())
}

// SOAKLAB_* variables fill flags that are not given; a flag wins; a bad
// value names the variable.
func TestEnvVars(t *testing.T) {
	t.Parallel()
	vars := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	expand := func(getenv func(string) string, args ...string) (int, string, string) {
		env, out, errw := testEnv()
		env.Getenv = getenv
		code := Main(context.Background(), append([]string{"expand", "testdata/e2e.yaml"}, args...), env)
		return code, out.String(), errw.String()
	}
	_, all, _ := expand(vars())
	_, s1, _ := expand(vars(), "--shard", "1/2")
	_, s2, _ := expand(vars(), "--shard", "2/2")
	require.NotEqual(t, s1, s2)

	code, got, _ := expand(vars("SOAKLAB_SHARD", "2/2"))
	assert.Equal(t, ExitOK, code)
	assert.Equal(t, s2, got, "SOAKLAB_SHARD shards")
	_, got, _ = expand(vars("SOAKLAB_SHARD", "2/2"), "--shard", "1/2")
	assert.Equal(t, s1, got, "the flag wins over the variable")
	_, got, _ = expand(vars("SOAKLAB_SHARD", ""))
	assert.Equal(t, all, got, "an empty variable is not set")
	code, _, errw := expand(vars("SOAKLAB_SHARD", "5/2"))
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errw, "--shard")

	// SOAKLAB_RESULTS is where report looks a run id up.
	res := t.TempDir()
	env, _, errw2 := testEnv()
	env.Getenv = vars("SOAKLAB_RESULTS", res)
	assert.Equal(t, ExitUsage, Main(context.Background(), []string{"report", "nightly"}, env))
	assert.Contains(t, errw2.String(), "under "+res)
	// a value the flag refuses names the variable
	env, _, errw2 = testEnv()
	env.Getenv = vars("SOAKLAB_PROGRESS_EVERY", "soon")
	assert.Equal(t, ExitUsage, Main(context.Background(), []string{"run", "testdata/e2e.yaml"}, env))
	assert.Contains(t, errw2.String(), `SOAKLAB_PROGRESS_EVERY="soon"`)
}

// writeTinyRun writes a finished run with one OOM-killed cell (NO-GO
// whatever its samples) under results/id.
func writeTinyRun(t *testing.T, res, id string) string {
	t.Helper()
	dir := filepath.Join(res, id)
	yaml := "name: tiny\ntargets:\n  s: {command: [./s]}\n"
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	c := results.Cell{Schema: results.SchemaVersion, ID: "s/x=1", Dir: results.CellDir("s/x=1"), Target: "s",
		Outcome: results.OOMKilled, Detail: "cgroup oom_kill 1", Started: t0, Ended: t0.Add(time.Second), RAMLimit: 64 << 20}
	cellDir := filepath.Join(dir, results.CellsDir, c.Dir)
	require.NoError(t, os.MkdirAll(cellDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cellDir, results.SamplesFile), nil, 0o644))
	require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), &results.Run{Schema: results.SchemaVersion,
		ID: id, Matrix: "/m.yaml", MatrixYAML: yaml, Started: t0, Finished: t0.Add(time.Minute), Status: "finished",
		Cells: []results.Cell{c}}))
	return dir
}

// `soaklab report <run-id>` finds the run under --results, and lists the
// NO-GO cells with their main reason; so do compare and merge.
func TestRunByID(t *testing.T) {
	t.Parallel()
	res := t.TempDir()
	dir := writeTinyRun(t, res, "20261101-120000")
	env, out, errw := testEnv()
	require.Equal(t, ExitNoGo, Main(context.Background(), []string{"report", "20261101-120000", "--results", res}, env), errw.String())
	assert.Contains(t, out.String(), "1 cells: 0 GO, 0 NEUTRAL, 1 NO-GO\n")
	assert.Contains(t, out.String(), "NO-GO:\n  s/x=1: outcome: ")
	assert.Contains(t, out.String(), "report: "+filepath.Join(dir, "report", "index.html"))
	assert.FileExists(t, filepath.Join(dir, "report", "index.html"))

	// compare by ids
	writeTinyRun(t, res, "20261102-120000")
	env, out, errw = testEnv()
	code := Main(context.Background(), []string{"compare", "--results", res, "20261101-120000", "20261102-120000"}, env)
	assert.Contains(t, []int{ExitOK, ExitNoGo}, code, errw.String())
	assert.Contains(t, out.String(), "s/")
	assert.NotContains(t, out.String(), "no cell ids in common")

	// merge shard runs named by id
	env, _, errw = testEnv()
	code = Main(context.Background(), []string{"merge", "--results", res, "-o", filepath.Join(res, "merged"), "20261101-120000"}, env)
	assert.Equal(t, ExitNoGo, code, errw.String())
	assert.FileExists(t, filepath.Join(res, "merged", results.RunFile))
}

// init writes a starter matrix that validates, beside its schema, and
// never overwrites.
func TestInit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "matrix.yaml")
	env, out, errw := testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"init", "--command", "python3 -m http.server $PORT", "-o", file}, env), errw.String())
	assert.Contains(t, out.String(), "wrote "+file)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(data), `command: [sh, -c, "exec python3 -m http.server $PORT"]`)
	schema, err := os.ReadFile(filepath.Join(dir, SchemaFile))
	require.NoError(t, err)
	assert.True(t, json.Valid(schema))

	env, out, errw = testEnv()
	assert.Equal(t, ExitOK, Main(context.Background(), []string{"validate", file}, env), errw.String())
	assert.Contains(t, out.String(), "ok, 1 targets, 1 cells")

	// a second init refuses and leaves the file alone
	require.NoError(t, os.WriteFile(file, []byte("mine\n"), 0o644))
	env, _, errw = testEnv()
	assert.Equal(t, ExitUsage, Main(context.Background(), []string{"init", "-o", file}, env))
	assert.Contains(t, errw.String(), "already exists")
	data, _ = os.ReadFile(file)
	assert.Equal(t, "mine\n", string(data))

	// the command after --, as words
	other := filepath.Join(dir, "b.yaml")
	env, _, errw = testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"init", "-o", other, "--", "./srv", "--flag"}, env), errw.String())
	m, err := matrix.Load(other)
	require.NoError(t, err)
	assert.Equal(t, []string{"./srv", "--flag"}, m.Targets[0].Command)
}

// schema prints the matrix's JSON Schema.
func TestSchemaCommand(t *testing.T) {
	t.Parallel()
	env, out, _ := testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"schema"}, env))
	assert.True(t, json.Valid(out.Bytes()))
	assert.Equal(t, string(matrix.Schema())+"\n", out.String())
	assert.True(t, strings.Contains(out.String(), `"max_slope_mib_per_h"`))
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct{ typed, want string }{
		{"valdate", "validate"}, // a letter dropped
		{"reprot", "report"},    // two letters swapped
		{"exp", "expand"},       // a prefix
		{"rn", "run"},           // short: one edit
		{"hist", "history"},     // a prefix
		{"zzzzzz", ""},          // nothing near
	}
	for _, tt := range tests {
		got := suggest(tt.typed)
		if tt.want == "" {
			assert.NotContains(t, got, "did you mean", tt.typed)
			continue
		}
		assert.Equal(t, ` (did you mean "`+tt.want+`"?)`, got, tt.typed)
	}
}

// clean takes run ids as arguments as well as --run; a run with nothing
// left is not an error.
func TestCleanByArgument(t *testing.T) {
	t.Parallel()
	env, out, errw := testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"clean", "no-such-run-7f3a"}, env), errw.String())
	assert.Equal(t, "removed 0 leftovers\n", out.String())
}
