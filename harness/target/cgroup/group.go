package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/target"
)

// Group is one memory cgroup.
type Group struct {
	Version Version
	Path    string
	// CPUPath is, on v1, the group's twin in the cpuacct hierarchy (the
	// same name under its soaklab parent), which its processes join too;
	// "" without one. v2 counts CPU time in Path itself.
	CPUPath string
}

// Create makes the cgroup name under the hierarchy's soaklab parent and sets
// its memory limit, with swap forbidden.
func (h Hierarchy) Create(name string, limit int64) (*Group, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("cgroup %s: memory limit must be positive, got %d", name, limit)
	}
	parent := filepath.Join(h.Root(), Parent)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup parent: %w", err)
	}
	if h.Version == V2 {
		// Children of a v2 cgroup get the memory controller only if the
		// parent delegates it.
		_ = os.WriteFile(filepath.Join(h.Root(), "cgroup.subtree_control"), []byte("+memory"), 0)
		_ = os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("+memory"), 0)
	}
	g := &Group{Version: h.Version, Path: filepath.Join(parent, name)}
	if err := os.Mkdir(g.Path, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup: %w", err)
	}
	if err := g.setLimit(limit); err != nil {
		g.Remove()
		return nil, err
	}
	h.createCPU(g, name)
	return g, nil
}

func (g *Group) setLimit(limit int64) error {
	v := []byte(strconv.FormatInt(limit, 10))
	switch g.Version {
	case V1:
		if err := g.write("memory.limit_in_bytes", v); err != nil {
			return err
		}
		// memsw exists only with swap accounting; equal to the limit means
		// no swap. Swappiness 0 covers kernels without it.
		if _, err := os.Stat(filepath.Join(g.Path, "memory.memsw.limit_in_bytes")); err == nil {
			if err := g.write("memory.memsw.limit_in_bytes", v); err != nil {
				return err
			}
		}
		_ = g.write("memory.swappiness", []byte("0"))
		// v1 charges socket buffers only once the group has a TCP limit,
		// to a counter of their own: set it to the limit so a target
		// holding socket buffers shows them (memory.kmem.tcp.usage_in_bytes).
		_ = g.write("memory.kmem.tcp.limit_in_bytes", v)
	case V2:
		if err := g.write("memory.max", v); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(g.Path, "memory.swap.max")); err == nil {
			if err := g.write("memory.swap.max", []byte("0")); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *Group) write(file string, v []byte) error {
	if err := os.WriteFile(filepath.Join(g.Path, file), v, 0); err != nil {
		return fmt.Errorf("cgroup %s: write %s: %w", g.Path, file, err)
	}
	return nil
}

// ProcsFile is the file a pid is written to in order to join the group.
func (g *Group) ProcsFile() string { return filepath.Join(g.Path, "cgroup.procs") }

// Add moves pid into the group, and on v1 into its cpuacct twin. When the
// twin refuses it, the group goes on without CPU accounting: a CPU time
// that missed the target would be wrong, not absent.
func (g *Group) Add(pid int) error {
	if err := g.write("cgroup.procs", []byte(strconv.Itoa(pid))); err != nil {
		return err
	}
	if g.CPUPath != "" {
		if err := os.WriteFile(filepath.Join(g.CPUPath, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			g.CPUPath = ""
		}
	}
	return nil
}

// Procs lists the pids in the group.
func (g *Group) Procs() ([]int, error) { return ReadProcs(g.Path) }

// ReadProcs lists the pids in the cgroup directory dir (its cgroup.procs).
func ReadProcs(dir string) ([]int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// Kill sends SIGKILL to every process in the group.
func (g *Group) Kill() {
	pids, _ := g.Procs()
	for _, pid := range pids {
		kill(pid)
	}
}

// RemoveWait is how long Remove waits for the kernel to release a group
// whose processes were killed: a killed process frees its memory before it
// leaves the group, which took over two seconds on a busy 2-core machine.
const RemoveWait = 15 * time.Second

// Remove kills what is left in the group and removes it, with its cpuacct
// twin. It waits up to RemoveWait for the kernel to release the group.
func (g *Group) Remove() error {
	deadline := time.Now().Add(RemoveWait)
	err := removeDir(g.Path, deadline, g.Kill)
	if g.CPUPath != "" {
		err = errors.Join(err, removeDir(g.CPUPath, deadline, g.Kill))
	}
	return err
}

// removeDir removes a cgroup directory, calling kill before each try,
// until deadline.
func removeDir(dir string, deadline time.Time, kill func()) error {
	var err error
	for {
		kill()
		err = os.Remove(dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

// Memory reads the group's memory accounting.
func (g *Group) Memory() (target.Memory, error) {
	return ReadMemory(g.Version, g.Path)
}
