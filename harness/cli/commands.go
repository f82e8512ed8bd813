package cli

import "context"

// command is one subcommand: what `soaklab help` and `soaklab <name> -h`
// say about it, and the function that runs it.
type command struct {
	name     string
	summary  string   // one line, in `soaklab help`
	args     string   // what follows the name, e.g. "<run> [flags]"
	about    string   // what it does and what its arguments are
	examples []string // command lines, each with a comment
	run      func(ctx context.Context, args []string, env Env) int
}

// commands is the explicit registry of subcommands, in the order `soaklab
// help` lists them. Adding a subcommand is one entry here.
func commands() []command {
	return []command{
		{name: "init", summary: "write a commented starter matrix.yaml for your program",
			args: "[--command 'program args'] [-o matrix.yaml]",
			about: `Writes a starter matrix for one server target, with every key commented.
It never overwrites a file. A command that mentions $PORT is run through
sh with the port filled in; otherwise the program must read the PORT
environment variable. Edit the readiness path and the request mix to fit
your program, then run ` + "`soaklab validate`" + `.`,
			examples: []string{
				"soaklab init --command 'python3 -m http.server $PORT'   # a server that takes its port as an argument",
				"soaklab init --command './myservice' -o soak.yaml          # a server that reads PORT",
			},
			run: cmdInit},
		{name: "validate", summary: "check a matrix and report every problem with its position",
			args: "[matrix.yaml...]",
			about: `Checks matrix files (default matrix.yaml) and prints every problem at once
as file:line:column, with suggestions for likely typos; warnings do not fail.
Exits 2 when any file has a problem.`,
			examples: []string{"soaklab validate ci/nightly.yaml"},
			run:      cmdValidate},
		{name: "expand", summary: "list the cells a matrix expands to, with their ids",
			args: "[matrix.yaml] [--shard i/n] [--json]",
			about: `Prints the id of every cell a matrix expands to (default matrix.yaml), in
run order; with --shard only the cells that shard runs.`,
			examples: []string{"soaklab expand ci/nightly.yaml --shard 2/4   # the cells shard 2 of 4 runs"},
			run:      cmdExpand},
		{name: "run", summary: "run a matrix and write results and a report",
			args: "[matrix.yaml] [flags]",
			about: `Runs every cell of a matrix (default matrix.yaml; or -m) against its target
under its memory limit, writes results/<run-id>/ as it goes, then judges
every cell and writes the report, junit.xml and summary.md. The run id is
printed; ` + "`soaklab report <run-id>`" + ` re-renders it. Progress goes to stdout:
a live view on a terminal, plain lines every --progress-every otherwise.
Exits 1 when a cell or comparison is NO-GO.`,
			examples: []string{
				"soaklab run matrix.yaml                              # run a matrix",
				"soaklab run ci/nightly.yaml --shard 2/4 --run-id n-2 # one shard of a nightly",
				"soaklab run --resume 20261123-020000                 # finish an interrupted run",
				"soaklab run matrix.yaml --baseline last-night        # report regressions against an earlier run",
			},
			run: cmdRun},
		{name: "report", summary: "re-judge and re-render a run's report from its results",
			args: "<run> [--results dir]",
			about: `Judges a run again from its results alone, with the matrix it stored, and
writes its report, junit.xml and summary.md. <run> is a run directory or
the id of a run under --results.`,
			examples: []string{"soaklab report 20261123-020000", "soaklab report results/nightly"},
			run:      cmdReport},
		{name: "compare", summary: "compare two runs cell by cell and flag memory regressions",
			args: "<old-run> <new-run> [--results dir]",
			about: `Matches the cells of two runs by id and judges the new run's memory against
the old one's by the new run's judge criteria: n, medians, a delta or ~
(no detectable difference) and p for each measure. Each run is a run
directory or the id of a run under --results. Exits 1 on a NO-GO.`,
			examples: []string{"soaklab compare last-night tonight"},
			run:      cmdCompare},
		{name: "history", summary: "render trend plots of every cell across runs",
			args: "[results-dir] [-o dir]",
			about: `Renders the trend of every cell's memory and verdict across every run in a
results directory (default --results) into <results-dir>/history/index.html.`,
			examples: []string{"soaklab history results"},
			run:      cmdHistory},
		{name: "merge", summary: "join the results of sharded runs into one run",
			args: "-o <merged-run> <shard-run>...",
			about: `Copies the cells of the shard runs of one matrix into one run, then judges
it and writes its report. Each shard run is a run directory or the id of a
run under --results; a cell found in two shards is refused.`,
			examples: []string{"soaklab merge -o results/nightly results/nightly-shard-*"},
			run:      cmdMerge},
		{name: "clean", summary: "remove cgroups and containers left by earlier runs",
			args: "[run-id...] [--run id]... [--images]",
			about: `Removes the cgroups, processes and containers of runs whose soaklab is gone
(a run killed outright); a live run's are left alone. With run ids (as
arguments or --run), only those runs' leftovers.`,
			examples: []string{"soaklab clean", "soaklab clean --run 20261123-020000"},
			run:      cmdClean},
		{name: "schema", summary: "print the JSON Schema of matrix.yaml, for editors",
			args: "",
			about: `Prints the JSON Schema of matrix.yaml. Save it and point your editor at it,
e.g. for the YAML language server, as the first line of matrix.yaml:
  # yaml-language-server: $schema=./matrix.schema.json`,
			examples: []string{"soaklab schema > matrix.schema.json"},
			run:      cmdSchema},
		{name: "version", summary: "print soaklab's version, commit and Go version",
			args: "[--json]",
			about: `Prints the version of this soaklab, the commit it was built from and the Go
version that built it (also ` + "`soaklab --version`" + `). Every run records the same
version and commit in run.json under "soaklab".`,
			examples: []string{"soaklab version          # soaklab v0.1.0 (commit 785f21f…, go1.26.8)", "soaklab version --json   # the same as a JSON object"},
			run:      cmdVersion},
	}
}

// lookup finds a command by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}
