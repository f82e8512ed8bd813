package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
)

// Merge copies the cells of several shard runs of one matrix into one new
// run at out and writes its run.json; Finish then judges and renders it. A
// cell found in two shards, or shards of different matrices, are
// InputErrors: shards partition one matrix's cells. out must not exist yet
// (or be an empty directory): a merge never overwrites a run. The merge is
// written to a temporary directory beside out and renamed to out at the
// end, so a failed merge leaves nothing behind.
func Merge(out string, dirs []string) (*results.Run, error) {
	if err := results.CheckRunID(filepath.Base(filepath.Clean(out))); err != nil {
		return nil, input(fmt.Errorf("-o %s: the last element names the merged run: %w", out, err))
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		what := "is not empty"
		if isRun(out) {
			what = "already holds a run"
		}
		return nil, input(fmt.Errorf("-o %s %s; merge writes a new run: give another directory", out, what))
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		if st, serr := os.Stat(out); serr == nil && !st.IsDir() {
			return nil, input(fmt.Errorf("-o %s exists and is not a directory", out))
		}
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(filepath.Clean(out))+".merging-")
	if err != nil {
		return nil, err
	}
	merged, err := mergeInto(tmp, filepath.Base(filepath.Clean(out)), dirs)
	if err == nil {
		if err = os.Chmod(tmp, 0o755); err == nil {
			os.Remove(out) // an empty directory given as -o (a full one stays and fails the rename)
			err = os.Rename(tmp, out)
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return merged, nil
}

// mergeInto writes the merged run named id into dir.
func mergeInto(out, id string, dirs []string) (*results.Run, error) {
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
	merged.ID = id
	return merged, results.WriteJSON(filepath.Join(out, results.RunFile), merged)
}
