package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
)

func cmdMerge(ctx context.Context, args []string, env Env) int {
	fs := flags("merge", env)
	out := fs.String("o", "", "directory of the merged run (required)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *out == "" || fs.NArg() == 0 {
		return fail(env, ExitUsage, "usage: soaklab merge -o <merged-run> <shard-run>...")
	}
	merged, err := merge(*out, fs.Args())
	if err != nil {
		return fail(env, ExitUsage, "merge: %v", err)
	}
	fmt.Fprintf(env.Stderr, "soaklab: merged %d shard runs, %d cells, into %s\n", fs.NArg(), len(merged.Cells), *out)
	code, err := finish(*out, env)
	if err != nil {
		return fail(env, ExitHarness, "%v", err)
	}
	return code
}

// merge copies the cells of several shard runs of one matrix into one run.
// A cell found in two shards is an error: shards partition the cells.
func merge(out string, dirs []string) (*results.Run, error) {
	var merged *results.Run
	seen := map[string]string{}
	for _, dir := range dirs {
		run, err := results.ReadRun(dir)
		if err != nil {
			return nil, err
		}
		if merged == nil {
			m := *run
			m.Cells, m.Comparisons, m.Shard, m.Counts = nil, nil, "", results.Counts{}
			merged = &m
		} else if run.MatrixYAML != merged.MatrixYAML {
			return nil, fmt.Errorf("%s ran a different matrix than %s", dir, dirs[0])
		}
		if run.Started.Before(merged.Started) {
			merged.Started = run.Started
		}
		if run.Finished.After(merged.Finished) {
			merged.Finished = run.Finished
		}
		if run.Status != "finished" {
			merged.Status = run.Status
		}
		for _, c := range run.Cells {
			if prev, ok := seen[c.ID]; ok {
				return nil, fmt.Errorf("cell %s is in both %s and %s", c.ID, prev, dir)
			}
			seen[c.ID] = dir
			if c.Outcome != "" {
				if err := os.CopyFS(filepath.Join(out, results.CellsDir, c.Dir),
					os.DirFS(filepath.Join(dir, results.CellsDir, c.Dir))); err != nil {
					return nil, err
				}
			}
			merged.Cells = append(merged.Cells, c)
		}
	}
	sort.Slice(merged.Cells, func(i, j int) bool { return merged.Cells[i].ID < merged.Cells[j].ID })
	merged.ID = filepath.Base(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	return merged, results.WriteJSON(filepath.Join(out, results.RunFile), merged)
}
