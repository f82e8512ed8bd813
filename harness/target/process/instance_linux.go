//go:build linux

package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// instance is a running child process.
type instance struct {
	cmd         *exec.Cmd
	group       *cgroup.Group // nil in watchdog mode
	enforcement string
	grace       time.Duration
	out         output

	done     chan struct{}
	exit     target.Exit
	stopOnce sync.Once
	stopErr  error

	mu       sync.Mutex
	last     target.Memory // last reading, kept after the cgroup is gone
	lastCPU  time.Duration // last CPU reading, kept likewise
	stopping bool
	wdKilled bool
}

// startInCgroup starts the program so that it is inside g before it runs a
// single instruction of its own. v2 uses clone3's CLONE_INTO_CGROUP
// (SysProcAttr.UseCgroupFD). v1 has no such call, and writing the pid after
// Start races with the child's first allocations, so the child starts as a
// /bin/sh gate that waits on a pipe; soaklab writes its pid into the cgroup,
// releases the gate, and the shell execs the target under the same pid.
func startInCgroup(path string, spec target.Spec, g *cgroup.Group, grace time.Duration) (*instance, error) {
	inst := &instance{group: g, enforcement: "cgroup-" + g.Version.String(), grace: grace, done: make(chan struct{})}
	var cmd *exec.Cmd
	var gate *os.File
	switch g.Version {
	case cgroup.V2:
		dir, err := os.Open(g.Path)
		if err != nil {
			return nil, err
		}
		defer dir.Close()
		cmd = exec.Command(path, spec.Args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL,
			UseCgroupFD: true, CgroupFD: int(dir.Fd())}
	default:
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		gate = w
		args := append([]string{"-c", `read -r _ || exit 111; exec "$0" "$@"`, path}, spec.Args...)
		cmd = exec.Command("/bin/sh", args...)
		cmd.Stdin = r
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	cmd.Dir, cmd.Env = spec.Dir, env(spec.Env)
	if err := inst.out.attach(cmd, spec.Stdout, spec.Stderr); err != nil {
		inst.out.close(0)
		if gate != nil {
			gate.Close()
		}
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		inst.out.close(0)
		if gate != nil {
			gate.Close()
		}
		return nil, err
	}
	inst.out.started()
	inst.cmd = cmd
	if gate != nil {
		err := g.Add(cmd.Process.Pid)
		if err == nil {
			_, err = gate.Write([]byte("go\n"))
		}
		gate.Close()
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			inst.out.close(outputDrain)
			return nil, fmt.Errorf("join cgroup: %w", err)
		}
	}
	go inst.wait()
	return inst, nil
}

// startWatchdog starts the program without a cgroup and kills it when its
// RSS passes the limit.
func startWatchdog(path string, spec target.Spec, procRoot string, every, grace time.Duration) (*instance, error) {
	procs, err := probe.NewProcs(procRoot)
	if err != nil {
		return nil, fmt.Errorf("target %s: watchdog: %w", spec.Name, err)
	}
	inst := &instance{enforcement: "watchdog", grace: grace, done: make(chan struct{})}
	cmd := exec.Command(path, spec.Args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Dir, cmd.Env = spec.Dir, env(spec.Env)
	if err := inst.out.attach(cmd, spec.Stdout, spec.Stderr); err != nil {
		inst.out.close(0)
		return nil, fmt.Errorf("target %s: %w", spec.Name, err)
	}
	if err := cmd.Start(); err != nil {
		inst.out.close(0)
		return nil, fmt.Errorf("target %s: %w", spec.Name, err)
	}
	inst.out.started()
	inst.cmd = cmd
	go inst.wait()
	go inst.watch(procs, spec.MemoryLimit, every)
	return inst, nil
}

func (i *instance) watch(procs probe.Procs, limit int64, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-i.done:
			return
		case <-t.C:
			rss, _, err := procs.RSS(i.cmd.Process.Pid)
			if err != nil || rss <= limit {
				continue
			}
			i.mu.Lock()
			i.wdKilled = true
			i.mu.Unlock()
			_ = syscall.Kill(-i.cmd.Process.Pid, syscall.SIGKILL)
			return
		}
	}
}

// wait records the target's end. cmd.Wait returns as soon as the target
// process itself exits (its output goes through files, see output), and
// reports its exit status or signal from the kernel's wait status: children
// left running and pipes held open do not delay it.
func (i *instance) wait() {
	err := i.cmd.Wait()
	e := target.Exit{At: time.Now(), Code: i.cmd.ProcessState.ExitCode()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Code, e.Signal = -1, ws.Signal().String()
		}
	}
	if i.group != nil {
		if m, err := i.group.Memory(); err == nil {
			i.setLast(m)
			e.OOMKills = m.OOMKills
		}
		if d, err := i.group.CPU(); err == nil {
			i.mu.Lock()
			i.lastCPU = max(i.lastCPU, d)
			i.mu.Unlock()
		}
	}
	i.mu.Lock()
	e.ByHarness = i.stopping
	killed := e.Signal == syscall.SIGKILL.String()
	e.OOMKilled = killed && (e.OOMKills > 0 || i.wdKilled)
	if i.wdKilled && e.OOMKills == 0 {
		e.OOMKills = 1
	}
	i.exit = e
	i.mu.Unlock()
	close(i.done)
}

func (i *instance) setLast(m target.Memory) {
	i.mu.Lock()
	i.last = m
	i.mu.Unlock()
}

func (i *instance) PID() int              { return i.cmd.Process.Pid }
func (i *instance) Done() <-chan struct{} { return i.done }
func (i *instance) Enforcement() string   { return i.enforcement }

func (i *instance) Exit() target.Exit {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.exit
}

// Memory reads the cgroup; after the target is gone it returns the last
// reading taken.
func (i *instance) Memory() (target.Memory, error) {
	if i.group == nil {
		return target.Memory{}, ErrNoCgroup
	}
	select {
	case <-i.done:
		i.mu.Lock()
		defer i.mu.Unlock()
		return i.last, nil
	default:
	}
	m, err := i.group.Memory()
	if err != nil {
		return m, err
	}
	i.setLast(m)
	return m, nil
}

var (
	_ target.CPUMeter      = (*instance)(nil)
	_ target.ProcessLister = (*instance)(nil)
)

// CPU reads the cgroup's CPU time; after the target is gone it returns
// the last reading taken. Without a cgroup, or on v1 without the cpuacct
// controller, it fails: the CPU time is not measured.
func (i *instance) CPU() (time.Duration, error) {
	if i.group == nil {
		return 0, ErrNoCgroup
	}
	select {
	case <-i.done:
		i.mu.Lock()
		defer i.mu.Unlock()
		if i.lastCPU == 0 {
			return 0, cgroup.ErrNoCPUAccounting
		}
		return i.lastCPU, nil
	default:
	}
	d, err := i.group.CPU()
	if err != nil {
		return 0, err
	}
	i.mu.Lock()
	i.lastCPU = max(i.lastCPU, d)
	i.mu.Unlock()
	return d, nil
}

// Processes lists the pids in the cgroup; without one, the target's own.
func (i *instance) Processes() ([]int, error) {
	if i.group == nil {
		return []int{i.cmd.Process.Pid}, nil
	}
	return i.group.Procs()
}

// Stop sends SIGTERM to the target's process group, SIGKILL after the grace
// period or when ctx ends, waits for it and removes its cgroup.
func (i *instance) Stop(ctx context.Context) error {
	i.stopOnce.Do(func() {
		i.mu.Lock()
		i.stopping = true
		i.mu.Unlock()
		pid := i.cmd.Process.Pid
		select {
		case <-i.done:
			// The target is gone; what it started may not be.
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			if i.group != nil {
				i.group.Kill()
			}
		default:
			_ = syscall.Kill(-pid, syscall.SIGTERM)
			t := time.NewTimer(i.grace)
			select {
			case <-i.done:
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			if i.group != nil {
				i.group.Kill()
			}
			<-i.done
		}
		if i.group != nil {
			i.stopErr = i.group.Remove()
		}
		i.out.close(outputDrain)
	})
	return i.stopErr
}

// alive reports whether pid is a running process.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return (err == nil || errors.Is(err, syscall.EPERM)) && !zombie(pid)
}

// zombie reports whether pid has exited and waits to be reaped: a harness
// killed outright is dead even before its parent reaps it. Without /proc
// it is never one.
func zombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(data, ')')
	return i >= 0 && i+2 < len(data) && data[i+2] == 'Z'
}
