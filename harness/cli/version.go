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
