package cli

import (
	"context"
	"fmt"

	"github.com/soaklab/soaklab/harness/pipeline"
)

func cmdMerge(ctx context.Context, args []string, env Env) int {
	fs := flags("merge", env)
	out := fs.String("o", "", "directory of the merged run (required)")
	resultsDir := resultsFlag(fs)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *out == "" || fs.NArg() == 0 {
		return fail(env, ExitUsage, "usage: soaklab merge -o <merged-run> <shard-run>...")
	}
	shards := make([]string, fs.NArg())
	for i, ref := range fs.Args() {
		var err error
		if shards[i], err = pipeline.FindRun(*resultsDir, ref); err != nil {
			return failErr(env, "merge", err)
		}
	}
	merged, err := pipeline.Merge(*out, shards)
	if err != nil {
		return failErr(env, "merge", err)
	}
	fmt.Fprintf(env.Stderr, "soaklab: merged %d shard runs, %d cells, into %s\n", fs.NArg(), len(merged.Cells), *out)
	code, err := finish(*out, env)
	if err != nil {
		return fail(env, ExitHarness, "%v", err)
	}
	return code
}
