package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soaklab/soaklab/harness/buildinfo"
)

func cmdVersion(ctx context.Context, args []string, env Env) int {
	fs := flags("version", env)
	asJSON := fs.Bool("json", false, "print the version, commit and Go version as a JSON object")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: soaklab version [--json]\n\n"+
			"Print soaklab's version, the commit it was built from and the Go version that built it\n"+
			"(also `soaklab --version`). Runs record the same in run.json under \"soaklab\".\n\n"+
			"Example:\n  soaklab version\n  soaklab v0.1.0 (commit 785f21f, go1.26.8)\n\nFlags:")
		fs.PrintDefaults()
	}
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return fail(env, ExitUsage, "version: unexpected argument %q", fs.Arg(0))
	}
	info := buildinfo.Read()
	if *asJSON {
		b, _ := json.MarshalIndent(info, "", "  ")
		fmt.Fprintln(env.Stdout, string(b))
		return ExitOK
	}
	fmt.Fprintln(env.Stdout, info.String())
	return ExitOK
}
