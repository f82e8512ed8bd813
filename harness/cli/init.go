package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/soaklab/soaklab/matrix"
)

// SchemaFile is the name init gives the JSON Schema beside the matrix.
const SchemaFile = "matrix.schema.json"

func cmdInit(ctx context.Context, args []string, env Env) int {
	fs := flags("init", env)
	command := fs.String("command", "", "your program and its arguments, split on spaces (mention $PORT to pass the port as an argument)")
	out := fs.String("o", "matrix.yaml", "file to write; never overwritten")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	argv := strings.Fields(*command)
	switch {
	case len(argv) > 0 && fs.NArg() > 0:
		return fail(env, ExitUsage, "init: the command is given twice: --command %q and %q", *command, strings.Join(fs.Args(), " "))
	case fs.NArg() > 0:
		argv = fs.Args() // soaklab init -- python3 -m http.server '$PORT'
	}
	if err := create(*out, matrix.Starter(argv)); err != nil {
		return fail(env, ExitUsage, "init: %v", err)
	}
	fmt.Fprintf(env.Stdout, "wrote %s\n", *out)
	schema := filepath.Join(filepath.Dir(*out), SchemaFile)
	switch err := create(schema, append(matrix.Schema(), '\n')); {
	case err == nil:
		fmt.Fprintf(env.Stdout, "wrote %s (the matrix's JSON Schema, for your editor)\n", schema)
	case errors.Is(err, os.ErrExist):
	default:
		return fail(env, ExitHarness, "init: %v", err)
	}
	fmt.Fprintf(env.Stdout, "next: edit it, then `soaklab validate %s` and `soaklab run %s`\n", *out, *out)
	return ExitOK
}

// create writes a new file and refuses to replace one.
func create(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return existsError(path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func cmdSchema(ctx context.Context, args []string, env Env) int {
	fs := flags("schema", env)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return fail(env, ExitUsage, "schema: unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintf(env.Stdout, "%s\n", matrix.Schema())
	return ExitOK
}

// existsError is a file init will not replace.
type existsError string

func (e existsError) Error() string {
	return string(e) + " already exists; remove it or write elsewhere with -o"
}
func (e existsError) Is(target error) bool { return target == os.ErrExist }
