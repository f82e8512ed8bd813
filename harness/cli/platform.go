package cli

import (
	"fmt"
	"runtime"
)

// linuxOnly names the commands that start targets or touch cgroups: they
// need Linux (cgroups, /proc, the parent-death signal). The others are
// pure file work and run anywhere Go does.
var linuxOnly = map[string]bool{"run": true, "clean": true}

// refuseOffLinux says in one line that command name needs Linux, and
// returns true, when env's system is another.
func refuseOffLinux(name string, env Env) bool {
	goos := env.GOOS
	if goos == "" {
		goos = runtime.GOOS
	}
	if goos == "linux" || !linuxOnly[name] {
		return false
	}
	fmt.Fprintf(env.Stderr, "soaklab %s: needs Linux (cgroups and /proc); this system is %s\n", name, goos)
	return true
}
