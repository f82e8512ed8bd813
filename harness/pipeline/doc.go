// Package pipeline is soaklab's run pipeline as a library: plan a run of a
// matrix, run its cells, finish a run directory (judge, compare with the
// baseline run, rewrite run.json, render the report), merge shard runs and
// compare runs. The command line (harness/cli) is flags, printing and exit
// codes around it.
//
// Layering: pipeline is the one package of harness/ that imports reports/
// (judge, render, history, view); harness/cli reaches reports/ only through
// it, and no package below it (runner, target, load, probe, results)
// imports reports/. Everything it needs from the operating system (writers,
// signals, the clock, /proc and cgroup roots, the working directory, the
// process's own pid and host name) comes in through Env.
package pipeline
