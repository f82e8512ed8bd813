package ci

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/soaklab/soaklab/"

// layer checks one import of the module's own packages against the
// one-way rule of docs/architecture.md; from and to are paths inside the
// module ("harness/cli", "reports/judge"). It returns why an import is
// refused, or "".
func layer(from, to string) string {
	under := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	switch {
	case under(to, "targets") && !under(from, "targets"):
		return "sample targets are programs, not libraries"
	case under(from, "targets") && !under(to, "targets"):
		return "a sample target stands alone: it imports nothing of soaklab but targets/internal"
	case under(from, "matrix"):
		return "matrix is a leaf: it knows nothing of processes, results or verdicts"
	case under(from, "harness/results"):
		return "harness/results is the on-disk format, a leaf"
	case under(from, "reports/stats") && !under(to, "reports/stats"):
		return "reports/stats is pure statistics, a leaf"
	case under(from, "reports") && under(to, "harness") && !under(to, "harness/results"):
		return "reports/ reads results and never starts a process: of harness/ it imports harness/results only"
	case under(from, "harness") && under(to, "reports") && !under(from, "harness/pipeline"):
		return "of harness/, only harness/pipeline imports reports/ (the CLI goes through it)"
	case under(to, "harness/pipeline") && !under(from, "harness/cli"):
		return "harness/pipeline serves the command line; nothing below it imports it"
	case under(to, "harness/cli") && !under(from, "harness/cmd"):
		return "harness/cli is imported by the soaklab command only"
	}
	return ""
}

func TestLayerRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to string
		ok       bool
	}{
		{"harness/cli", "harness/pipeline", true},         // the CLI over the pipeline
		{"harness/cli", "reports/judge", false},           // not around it
		{"harness/cli", "reports/render", false},          // not around it
		{"harness/pipeline", "reports/judge", true},       // the one harness package over reports
		{"harness/runner", "reports/judge", false},        // the runner knows nothing of verdicts
		{"harness/progress", "reports/view", false},       // nor do progress lines
		{"reports/judge", "harness/results", true},        // reports read results
		{"reports/judge", "matrix", true},                 // and the matrix's criteria
		{"reports/render", "harness/runner", false},       // but start nothing
		{"reports/html", "harness/probe", false},          // nor sample anything
		{"matrix", "harness/results", false},              // matrix is a leaf
		{"harness/results", "matrix", false},              // so is the format
		{"reports/stats", "reports/analysis", false},      // and the statistics
		{"harness/runner", "harness/pipeline", false},     // the pipeline is on top
		{"scripts/soakself", "harness/results", true},     // scripts read results
		{"harness/cmd/soaklab", "harness/cli", true},      // the command over the CLI
		{"harness/load", "targets/internal/serve", false}, // targets are programs
		{"targets/steady", "targets/internal/serve", true},
	}
	for _, tt := range tests {
		why := layer(tt.from, tt.to)
		assert.Equal(t, tt.ok, why == "", "%s -> %s: %s", tt.from, tt.to, why)
	}
}

// TestImportsPointOneWay reads the imports of every non-test Go file of
// the module (go/parser, imports only) and checks each against the rule.
func TestImportsPointOneWay(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var bad []string
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "results" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		from := filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			checked++
			if why := layer(from, strings.TrimPrefix(p, module)); why != "" {
				bad = append(bad, fmt.Sprintf("%s imports %s: %s", fset.Position(imp.Pos()), strings.TrimPrefix(p, module), why))
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 100, "imports of the module's own packages read")
	assert.Empty(t, bad, "see docs/architecture.md")
	_, err = os.Stat(filepath.Join(root, "docs", "architecture.md"))
	assert.NoError(t, err, "the rule is documented")
}

// The run command and the signal handling take the operating system from
// their Env: they import no "os" (a file of the pipeline may, for files).
func TestRunTakesItsEnvironment(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	for _, file := range []string{"../harness/cli/run.go", "../harness/cli/observe.go", "../harness/pipeline/signals.go"} {
		f, err := parser.ParseFile(fset, file, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			assert.NotEqual(t, `"os"`, imp.Path.Value, "%s: the environment comes in through Env", file)
		}
	}
}
