package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// envVars are the flags that CI may set through the environment, by flag
// name. A flag on the command line wins over its variable.
var envVars = map[string]string{
	"matrix":         "SOAKLAB_MATRIX",
	"results":        "SOAKLAB_RESULTS",
	"run-id":         "SOAKLAB_RUN_ID",
	"shard":          "SOAKLAB_SHARD",
	"baseline":       "SOAKLAB_BASELINE",
	"backend":        "SOAKLAB_BACKEND",
	"listen":         "SOAKLAB_LISTEN",
	"progress-every": "SOAKLAB_PROGRESS_EVERY",
	"no-early-stop":  "SOAKLAB_NO_EARLY_STOP",
}

// cmdline is a command's flag set. Its NArg, Arg and Args are the
// positional arguments wherever they stood among the flags.
type cmdline struct {
	*flag.FlagSet
	name     string
	env      Env
	args     []string
	explicit map[string]bool // flags given on the command line
}

// flags makes a command's flag set; it reports to env.Stderr and never
// exits.
func flags(name string, env Env) *cmdline {
	fs := flag.NewFlagSet("soaklab "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse prints errors, help and hints itself
	fs.Usage = func() {}
	return &cmdline{FlagSet: fs, name: name, env: env}
}

func (c *cmdline) NArg() int        { return len(c.args) }
func (c *cmdline) Args() []string   { return c.args }
func (c *cmdline) Arg(i int) string { return c.args[i] }

// parse parses flags before, between and after positional arguments (`--`
// ends the flags), then fills the flags not given from their SOAKLAB_*
// variables. -h prints the command's help to stdout. It returns an exit
// code, or -1 to go on.
func parse(c *cmdline, args []string) int {
	for {
		err := c.FlagSet.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			help(c, c.env.Stdout)
			return ExitOK
		}
		if err != nil {
			// One line: the error and where the usage is.
			return fail(c.env, ExitUsage, "%s: %v; run `soaklab %s -h` for its usage", c.name, err, c.name)
		}
		rest := c.FlagSet.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			c.args = append(c.args, rest...)
			break
		}
		c.args = append(c.args, rest[0])
		args = rest[1:]
	}
	c.explicit = map[string]bool{}
	c.Visit(func(f *flag.Flag) { c.explicit[f.Name] = true })
	var bad []string
	c.VisitAll(func(f *flag.Flag) {
		v, ok := envVars[f.Name]
		if !ok || c.explicit[f.Name] || c.explicit[shorthand(c.FlagSet, f)] {
			return
		}
		if s := c.env.Getenv(v); s != "" {
			if err := c.Set(f.Name, s); err != nil {
				bad = append(bad, fmt.Sprintf("%s=%q: %v", v, s, err))
			}
		}
	})
	if len(bad) > 0 {
		return fail(c.env, ExitUsage, "%s: %s", c.name, strings.Join(bad, "; "))
	}
	return -1
}

// shorthand is the name of the other flag sharing f's value (-m for
// -matrix), or "".
func shorthand(fs *flag.FlagSet, f *flag.Flag) string {
	name := ""
	fs.VisitAll(func(g *flag.Flag) {
		if g.Name != f.Name && g.Value == f.Value {
			name = g.Name
		}
	})
	return name
}

// help prints a command's description, arguments, flags (with their
// variables) and examples.
func help(c *cmdline, w io.Writer) {
	cmd, _ := lookup(c.name)
	fmt.Fprintf(w, "soaklab %s: %s\n\n", cmd.name, cmd.summary)
	fmt.Fprintf(w, "Usage: %s\n\n", strings.TrimSpace("soaklab "+cmd.name+" "+cmd.args))
	fmt.Fprintln(w, cmd.about)
	var any bool
	c.VisitAll(func(*flag.Flag) { any = true })
	if any {
		fmt.Fprintln(w, "\nFlags:")
		c.VisitAll(func(f *flag.Flag) {
			if v, ok := envVars[f.Name]; ok && !strings.Contains(f.Usage, "$"+v) {
				f.Usage += " [$" + v + "]"
			}
		})
		c.SetOutput(w)
		c.PrintDefaults()
		c.SetOutput(io.Discard)
	}
	if len(cmd.examples) > 0 {
		fmt.Fprintln(w, "\nExamples:")
		for _, e := range cmd.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}
