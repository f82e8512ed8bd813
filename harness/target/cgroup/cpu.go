package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/soaklab/soaklab/harness/internal/smallfile"
)

// ErrNoCPUAccounting is returned by ReadCPU and Group.CPU when the group
// has no CPU accounting: on v1 the cpuacct controller is not mounted, or
// soaklab could not make the group in it.
var ErrNoCPUAccounting = errors.New("no cgroup CPU accounting")

// ReadCPU reads the CPU time the tasks of a cgroup have used so far, user
// and system together, from its directory dir: on v1 the cpuacct
// hierarchy's cpuacct.usage (nanoseconds), on v2 usage_usec of cpu.stat,
// which every v2 cgroup has whether the cpu controller is enabled or not.
// The count includes tasks that have exited, so its difference between two
// readings is the group's CPU time over that interval.
func ReadCPU(v Version, dir string) (time.Duration, error) {
	switch v {
	case V1:
		ns, err := readInt(dir, "cpuacct.usage")
		if err != nil {
			return 0, err
		}
		return time.Duration(ns), nil
	case V2:
		us := int64(-1)
		if err := smallfile.Read(filepath.Join(dir, "cpu.stat"), func(data []byte) error {
			scanKV(data, []field{{"usage_usec", &us}})
			return nil
		}); err != nil {
			return 0, err
		}
		if us < 0 {
			return 0, fmt.Errorf("cgroup %s: cpu.stat has no usage_usec", dir)
		}
		return time.Duration(us) * time.Microsecond, nil
	}
	return 0, fmt.Errorf("cgroup %s: %w", dir, ErrNoCPUAccounting)
}

// CPU reads the group's CPU time so far (ReadCPU).
func (g *Group) CPU() (time.Duration, error) {
	switch {
	case g.Version == V2:
		return ReadCPU(V2, g.Path)
	case g.Version == V1 && g.CPUPath != "":
		return ReadCPU(V1, g.CPUPath)
	}
	return 0, fmt.Errorf("cgroup %s: %w", g.Path, ErrNoCPUAccounting)
}

// createCPU makes the v1 group's twin in the cpuacct hierarchy, so the
// target's CPU time is counted apart from every other process's. A failure
// leaves the group without CPU accounting (CPU says so) rather than
// failing the cell: the memory limit is what the cell needs.
func (h Hierarchy) createCPU(g *Group, name string) {
	if h.Version != V1 || h.CPUMount == "" {
		return
	}
	parent := filepath.Join(h.CPUMount, Parent)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return
	}
	dir := filepath.Join(parent, name)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return
	}
	g.CPUPath = dir
}

// Group returns the named soaklab cgroup of the hierarchy as it would have
// been created (its cpuacct twin included), for reading or removing
// leftovers.
func (h Hierarchy) Group(name string) *Group {
	g := &Group{Version: h.Version, Path: h.Dir(name)}
	if h.Version == V1 && h.CPUMount != "" {
		if dir := filepath.Join(h.CPUMount, Parent, name); isDir(dir) {
			g.CPUPath = dir
		}
	}
	return g
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
