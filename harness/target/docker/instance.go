package docker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/soaklab/soaklab/harness/target"
)

// DefaultRemoveTimeout bounds the removal of a container by Stop, which
// goes on even when Stop's context has ended (an interrupted harness must
// still leave nothing behind).
const DefaultRemoveTimeout = 30 * time.Second

// logsDrain is how long the end of an instance waits for the last output.
const logsDrain = 2 * time.Second

// instance is a running container.
type instance struct {
	b              *Backend
	id, name       string
	pid            int
	watch          *watcher // nil when the cgroup was not found
	cgDir          string   // the container's memory cgroup; "" when not found
	cpuDir         string   // where its CPU time is counted; "" when nowhere
	lastCPU        time.Duration
	cgErr          error
	ignoreStateOOM bool

	cancel   context.CancelFunc // ends the log and wait goroutines
	logsDone chan struct{}
	done     chan struct{}

	mu       sync.Mutex
	exit     target.Exit
	stopping bool
	stateOOM bool // the engine's State.OOMKilled, kept for tests and reports

	stopOnce sync.Once
	stopErr  error
}

// ContainerID is the engine's full id of the container.
func (i *instance) ContainerID() string { return i.id }

func (i *instance) PID() int              { return i.pid }
func (i *instance) Done() <-chan struct{} { return i.done }
func (i *instance) Enforcement() string   { return "docker" }

func (i *instance) Exit() target.Exit {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.exit
}

// Memory reads the container's cgroup files. After the container exits it
// returns the last reading, with the highest peak and oom_kill count seen.
func (i *instance) Memory() (target.Memory, error) {
	if i.watch == nil {
		return target.Memory{}, i.cgErr
	}
	select {
	case <-i.done:
	default:
		i.watch.read()
	}
	return i.watch.snapshot(), nil
}

// wait waits for the container to stop, then records how it ended.
func (i *instance) wait(ctx context.Context) {
	res := i.b.cli.ContainerWait(ctx, i.id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	var waitErr error
	select {
	case <-res.Result:
	case waitErr = <-res.Error:
	}
	var m target.Memory
	if i.watch != nil {
		i.watch.close()
		m = i.watch.snapshot()
	}
	e := target.Exit{At: time.Now(), Code: -1, OOMKills: m.OOMKills}
	// The wait context may be cancelled by Stop: inspect with a fresh one.
	ictx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	info, err := i.b.cli.ContainerInspect(ictx, i.id, client.ContainerInspectOptions{})
	cancel()
	stateOOM := false
	if err == nil && info.Container.State != nil {
		st := info.Container.State
		e.Code, stateOOM = st.ExitCode, st.OOMKilled
		if t, err := time.Parse(time.RFC3339Nano, st.FinishedAt); err == nil && t.Year() > 1 {
			e.At = t
		}
	} else if waitErr != nil {
		e.Signal = "unknown (" + waitErr.Error() + ")"
	}
	// 128+n is how the engine reports death by signal n.
	if e.Code > 128 && e.Code <= 128+64 {
		e.Code, e.Signal = -1, syscall.Signal(e.Code-128).String()
	}
	killed := e.Signal == syscall.SIGKILL.String()
	select {
	case <-i.logsDone:
	case <-time.After(logsDrain):
	}
	i.mu.Lock()
	i.stateOOM = stateOOM
	if i.ignoreStateOOM {
		stateOOM = false
	}
	e.OOMKilled = stateOOM || (killed && e.OOMKills > 0)
	if stateOOM && e.OOMKills == 0 {
		e.OOMKills = 1
	}
	e.ByHarness = i.stopping
	i.exit = e
	i.mu.Unlock()
	close(i.done)
}

// Stop asks the engine to stop the container (SIGTERM, SIGKILL after the
// grace period), waits for its end to be recorded, then removes it and its
// volumes. The removal happens even when ctx has ended. Safe to call more
// than once.
func (i *instance) Stop(ctx context.Context) error {
	i.stopOnce.Do(func() {
		select {
		case <-i.done:
		default:
			i.mu.Lock()
			i.stopping = true
			i.mu.Unlock()
			secs := int(i.b.cfg.grace.Round(time.Second) / time.Second)
			_, err := i.b.cli.ContainerStop(ctx, i.id, client.ContainerStopOptions{Timeout: &secs})
			if err != nil && !isNotFound(err) && ctx.Err() == nil {
				i.stopErr = fmt.Errorf("stop container %s: %w", short(i.id), err)
			}
			select {
			case <-i.done:
			case <-ctx.Done():
			}
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultRemoveTimeout)
		defer cancel()
		i.stopErr = errors.Join(i.stopErr, i.b.remove(rctx, i.id))
		select { // removal ends the wait; if it failed, stop waiting
		case <-i.done:
		case <-rctx.Done():
			i.cancel()
			<-i.done
		}
		i.cancel()
	})
	return i.stopErr
}

func isNotFound(err error) bool { return errdefs.IsNotFound(err) }
