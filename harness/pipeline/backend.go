package pipeline

import (
	"context"
	"fmt"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/docker"
	"github.com/soaklab/soaklab/harness/target/process"
)

// chooseBackend makes the backend a matrix asks for. "auto" picks Docker
// when an engine answers and the process backend otherwise. The note says
// which was chosen and how it holds limits.
func chooseBackend(ctx context.Context, name string, env Env) (target.Backend, string, error) {
	proc := func() (target.Backend, string, error) {
		b := process.New(process.CgroupRoot(env.CgroupRoot, env.Mounts), process.ProcRoot(env.ProcRoot))
		return b, "process, limits by " + b.Mode(), nil
	}
	switch name {
	case "", "process":
		return proc()
	case "docker":
		b, err := docker.New(ctx)
		if err != nil {
			return nil, "", err
		}
		return b, "docker", nil
	case "auto":
		fallback, note, _ := proc()
		b, why := docker.Auto(ctx, fallback)
		if b == fallback {
			return b, note + " (auto: " + why + ")", nil
		}
		return b, why, nil
	}
	return nil, "", fmt.Errorf("unknown backend %q (want process, docker or auto)", name)
}
