// Package target starts programs under test under a memory limit and reports
// how they ended. A Backend starts a Spec and returns an Instance; the
// process backend uses a cgroup (v1 or v2), the docker backend a container.
package target

import (
	"context"
	"io"
	"time"
)

// Spec says what to start and under which limit.
type Spec struct {
	RunID  string // labels containers and names cgroups so `soaklab clean` finds leftovers
	CellID string
	Name   string // target name

	Path       string   // executable (process backend) or static binary for a FROM scratch image
	Args       []string // arguments after Path
	Image      string   // docker: existing local image
	Dockerfile string   // docker: Dockerfile to build (context is its directory)
	Dir        string   // working directory
	Env        []string // KEY=VALUE, in addition to a minimal base environment

	MemoryLimit int64 // bytes; swap is always forbidden

	Stdout, Stderr io.Writer // target output (a log file); nil discards
}

// Memory is one reading of the memory accounting of an instance's cgroup.
// Zero means "not available" for every field.
type Memory struct {
	Usage        int64
	Peak         int64
	InactiveFile int64
	Anon         int64
	File         int64
	OOMKills     int64
	Limit        int64
	// Shmem is shared memory: tmpfs and /dev/shm files, memfd, SysV
	// segments (v1 total_shmem, v2 shmem). It is counted as file cache but
	// cannot be reclaimed without swap.
	Shmem int64
	// Kernel is the kernel memory charged to the cgroup that the kernel
	// cannot reclaim: v1 memory.kmem.usage_in_bytes (v1 does not break out
	// reclaimable slab), v2 kernel − slab_reclaimable (before Linux 5.18:
	// kernel_stack + pagetables + percpu + slab_unreclaimable).
	Kernel int64
	// Sock is the socket buffers charged to the cgroup: v2 sock, v1
	// memory.kmem.tcp.usage_in_bytes (a separate counter, not in Usage).
	Sock int64
	// MajorFaults counts the cgroup's major page faults so far: pages read
	// back from disk, the sign of a cgroup reclaiming its own code and
	// files at its limit (thrashing) instead of being OOM-killed.
	MajorFaults int64
	// Pressure is the cgroup's memory pressure stall information (v2's
	// memory.pressure); nil where the kernel has none (v1, or PSI off).
	Pressure *Pressure
}

// Pressure is a reading of a cgroup's memory.pressure: how long its tasks
// waited on memory (reclaim, refaults of evicted pages, swap-in). Some: at
// least one task waited; full: every non-idle task did at once, the cgroup
// making no progress at all. Totals are microseconds since the cgroup was
// made; Avg10 the kernel's share of the last 10 s, in percent.
type Pressure struct {
	SomeAvg10, FullAvg10 float64
	SomeTotal, FullTotal int64 // µs
}

// WorkingSet is usage minus inactive file pages, as docker and kubelet count it.
func (m Memory) WorkingSet() int64 {
	if m.InactiveFile > m.Usage {
		return 0
	}
	return m.Usage - m.InactiveFile
}

// Unreclaimable is the memory the kernel cannot take back from the cgroup
// without killing: anonymous memory, shared memory and kernel memory
// (including socket buffers). Page cache, even dirty, stays out: the kernel
// writes it back and drops it at the limit. docs/memory.md lists the keys.
func (m Memory) Unreclaimable() int64 { return m.Anon + m.Shmem + m.Kernel + m.Sock }

// Exit says how an instance ended.
type Exit struct {
	Code      int    // exit status; -1 when killed by a signal
	Signal    string // e.g. "killed" when ended by a signal
	OOMKills  int64  // the kernel's oom_kill counter for the instance's cgroup
	OOMKilled bool   // the kernel (or watchdog) killed it for memory
	ByHarness bool   // it ended because Stop was called
	At        time.Time
}

// Instance is a running target.
type Instance interface {
	// PID is the target's process id as seen from the host (0 when unknown).
	PID() int
	// Memory reads the instance's cgroup accounting.
	Memory() (Memory, error)
	// Done is closed when the target has exited; Exit is valid after that.
	Done() <-chan struct{}
	Exit() Exit
	// Stop ends the target (SIGTERM, then SIGKILL after grace) and removes
	// its cgroup or container. Safe to call more than once.
	Stop(ctx context.Context) error
	// Enforcement says how the limit is held: "cgroup-v1", "cgroup-v2",
	// "docker" or "watchdog".
	Enforcement() string
}

// CPUMeter is an Instance that reads its cgroup's CPU accounting.
type CPUMeter interface {
	// CPU is the CPU time, user and system, the instance's processes used
	// so far, those that exited included.
	CPU() (time.Duration, error)
}

// ProcessLister is an Instance that lists the processes of its cgroup.
type ProcessLister interface {
	// Processes returns the host pids of the instance's processes.
	Processes() ([]int, error)
}

// Backend starts targets.
type Backend interface {
	Name() string
	Start(ctx context.Context, spec Spec) (Instance, error)
}

// Cleaner removes what earlier runs left behind (cgroups, containers).
type Cleaner interface {
	Clean(ctx context.Context, w io.Writer) (removed int, err error)
}
