package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

func cmdValidate(ctx context.Context, args []string, env Env) int {
	fs := flags("validate", env)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"matrix.yaml"}
	}
	code := ExitOK
	for _, f := range files {
		m, err := matrix.Load(f, matrix.CheckHost())
		if err == nil {
			var cells []matrix.Cell
			if cells, err = m.Expand(); err == nil {
				printWarnings(env, m)
				fmt.Fprintf(env.Stdout, "%s: ok, %d targets, %d cells\n", f, len(m.Targets), len(cells))
				continue
			}
		}
		fmt.Fprintln(env.Stderr, err)
		code = ExitUsage
	}
	return code
}

func cmdExpand(ctx context.Context, args []string, env Env) int {
	fs := flags("expand", env)
	asJSON := fs.Bool("json", false, "print cells as JSON")
	shard := fs.String("shard", "", "only shard i of n, e.g. 2/8")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	file := "matrix.yaml"
	switch fs.NArg() {
	case 0:
	case 1:
		file = fs.Arg(0)
	default:
		return fail(env, ExitUsage, "expand: one matrix file at a time, got %d", fs.NArg())
	}
	m, err := matrix.Load(file)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitUsage
	}
	cells, err := m.Expand()
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitUsage
	}
	printWarnings(env, m)
	if *shard != "" {
		i, n, err := matrix.ParseShard(*shard)
		if err != nil {
			return fail(env, ExitUsage, "expand: --shard: %v", err)
		}
		cells = matrix.Shard(cells, i, n)
	}
	if *asJSON {
		type jsonCell struct {
			ID     string            `json:"id"`
			Target string            `json:"target"`
			Axes   map[string]string `json:"axes"`
			Repeat int               `json:"repeat,omitempty"`
			Env    map[string]string `json:"env,omitempty"`
		}
		out := make([]jsonCell, len(cells))
		for i, c := range cells {
			out[i] = jsonCell{c.ID, c.Target, c.Axes, c.Repeat, c.Env}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(env, ExitHarness, "%v", err)
		}
		return ExitOK
	}
	for _, c := range cells {
		fmt.Fprintln(env.Stdout, c.ID)
	}
	fmt.Fprintln(env.Stderr, pipeline.EstimateCells(cells))
	return ExitOK
}

// printWarnings prints a matrix's warnings (problems that do not stop a
// run), each with its position.
func printWarnings(env Env, m *matrix.Matrix) {
	for _, w := range m.Warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", results.Printable(w.Error()))
	}
}
