package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
)

// Merge copies the cells of several shard runs of one matrix into one run
// at out and writes its run.json; Finish then judges and renders it. A
// cell found in two shards, or shards of different matrices, are
// InputErrors: shards partition one matrix's cells.
func Merge(out string, dirs []string) (*results.Run, error) {
	var merged *results.Run
	seen := map[string]string{}
	for _, dir := range dirs {
		run, err := results.ReadRun(dir)
		if err != nil {
			return nil, input(err)
		}
		if merged == nil {
			m := *run
			m.Cells, m.Comparisons, m.Shard, m.Counts = nil, nil, "", results.Counts{}
			merged = &m
		} else if run.MatrixYAML != merged.MatrixYAML {
			return nil, input(fmt.Errorf("%s ran a different matrix than %s", dir, dirs[0]))
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
				return nil, input(fmt.Errorf("cell %s is in both %s and %s", c.ID, prev, dir))
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
	if merged == nil {
		return nil, input(fmt.Errorf("no shard runs to merge"))
	}
	sort.Slice(merged.Cells, func(i, j int) bool { return merged.Cells[i].ID < merged.Cells[j].ID })
	merged.ID = filepath.Base(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	return merged, results.WriteJSON(filepath.Join(out, results.RunFile), merged)
}
