package docker

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/soaklab/soaklab/harness/target"
)

var seq atomic.Int64

// Start runs spec in a container: host network, memory limit with swap
// equal to it (no swap), spec.Env as the whole environment, spec.Args as the
// command after the image's entrypoint. It returns once the container runs;
// readiness is the harness's business. spec.Dir is not used: the working
// directory is the image's.
func (b *Backend) Start(ctx context.Context, spec target.Spec) (target.Instance, error) {
	if spec.MemoryLimit <= 0 {
		return nil, fmt.Errorf("target %s: memory limit must be positive", spec.Name)
	}
	ref, err := b.image(ctx, spec)
	if err != nil {
		return nil, err
	}
	p, err := provider()
	if err != nil {
		return nil, err
	}
	defer p.Close()
	limit := spec.MemoryLimit
	req := testcontainers.ContainerRequest{
		Image:  ref,
		Cmd:    spec.Args,
		Labels: labels(spec),
		Name:   fmt.Sprintf("soaklab-%s-%d-%d", safeName(spec.RunID), os.Getpid(), seq.Add(1)),
		ConfigModifier: func(c *container.Config) {
			c.Env = append([]string(nil), spec.Env...)
		},
		HostConfigModifier: func(h *container.HostConfig) {
			h.NetworkMode = "host"
			h.Resources.Memory = limit
			h.Resources.MemorySwap = limit
		},
		EndpointSettingsModifier: func(m map[string]*network.EndpointSettings) {
			clear(m) // host networking: no endpoint
		},
	}
	c, err := p.CreateContainer(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("target %s: create container from %s: %w", spec.Name, ref, err)
	}
	id := c.GetContainerID()
	if err := c.Start(ctx); err != nil {
		b.remove(context.WithoutCancel(ctx), id)
		return nil, fmt.Errorf("target %s: start container %s: %w", spec.Name, short(id), err)
	}
	return b.track(ctx, id, spec)
}

// track inspects the started container, finds its cgroup and starts the
// goroutines that copy its output and wait for its end.
func (b *Backend) track(ctx context.Context, id string, spec target.Spec) (*instance, error) {
	res, err := b.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		b.remove(context.WithoutCancel(ctx), id)
		return nil, fmt.Errorf("target %s: inspect container %s: %w", spec.Name, short(id), err)
	}
	bg, cancel := context.WithCancel(context.Background())
	inst := &instance{b: b, id: id, name: spec.Name, cancel: cancel, done: make(chan struct{}),
		logsDone: make(chan struct{}), ignoreStateOOM: b.cfg.ignoreStateOOM}
	if st := res.Container.State; st != nil {
		inst.pid = st.Pid
	}
	if b.hierErr == nil && inst.pid > 0 {
		dir, err := cgroupDir(b.cfg.procRoot, b.hier, inst.pid, id)
		if err == nil {
			inst.watch = newWatcher(b.hier.Version, dir, b.cfg.poll)
			inst.cgDir, inst.cpuDir = dir, cpuDir(b.hier, dir)
		}
		inst.cgErr = err
	} else if b.hierErr != nil {
		inst.cgErr = fmt.Errorf("%w: %v", ErrNoCgroup, b.hierErr)
	} else {
		inst.cgErr = fmt.Errorf("%w: container %s exited before it was seen", ErrNoCgroup, short(id))
	}
	go inst.copyLogs(bg, orDiscard(spec.Stdout), orDiscard(spec.Stderr))
	go inst.wait(bg)
	return inst, nil
}

// copyLogs follows the container's output until it ends.
func (i *instance) copyLogs(ctx context.Context, stdout, stderr io.Writer) {
	defer close(i.logsDone)
	rc, err := i.b.cli.ContainerLogs(ctx, i.id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
	if err != nil {
		fmt.Fprintf(stderr, "soaklab: follow logs of container %s: %v\n", short(i.id), err)
		return
	}
	defer rc.Close()
	_, _ = stdcopy.StdCopy(stdout, stderr, rc)
}

// remove force-removes a container and its anonymous volumes; a container
// already gone is not an error.
func (b *Backend) remove(ctx context.Context, id string) error {
	_, err := b.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("remove container %s: %w", short(id), err)
	}
	return nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// safeName keeps what a container name allows: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '_'
	}, nonEmpty(s, "run"))
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}
