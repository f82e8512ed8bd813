//go:build !linux

package process

import (
	"time"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// Off Linux no target starts: the cells of a run need Linux (see
// instance_linux.go), and `soaklab run` says so before it gets here.

func startInCgroup(path string, spec target.Spec, g *cgroup.Group, grace time.Duration) (target.Instance, error) {
	return nil, ErrNeedsLinux
}

func startWatchdog(path string, spec target.Spec, procRoot string, every, grace time.Duration) (target.Instance, error) {
	return nil, ErrNeedsLinux
}

// alive reports no process alive: off Linux there are no cgroups, so Clean
// never asks.
func alive(pid int) bool { return false }
