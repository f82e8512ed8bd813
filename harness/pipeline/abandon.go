package pipeline

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/soaklab/soaklab/harness/results"
)

// Abandon finishes the bookkeeping of a run whose harness died without
// doing it (a crash, an OOM kill): run.json is marked interrupted with the
// time it ended, and the cgroups, processes and containers of the run left
// by the dead harness are removed. It returns the line telling how to
// finish the run, or "" when runDir is not a run.
func Abandon(runDir string, env Env) string {
	if runDir == "" || !isRun(runDir) {
		return ""
	}
	run, err := results.ReadRun(runDir)
	if err != nil {
		return ""
	}
	if run.Status == "" || run.Status == "running" {
		run.Status = "interrupted"
	}
	if run.Finished.IsZero() {
		run.Finished = env.now().UTC()
	}
	results.WriteJSON(filepath.Join(runDir, results.RunFile), run)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	Clean(ctx, []string{run.ID}, false, io.Discard, env)
	return fmt.Sprintf("soaklab: run %s is kept in %s; finish it with: soaklab run --resume %s", run.ID, runDir, runDir)
}
