package docker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

var (
	_ target.CPUMeter      = (*instance)(nil)
	_ target.ProcessLister = (*instance)(nil)
)

// cpuDir is the directory counting the CPU time of the container whose
// memory cgroup is memDir: memDir itself on v2 (cpu.stat), on v1 the same
// path under the cpuacct mount, where the engine makes its twin; "" when
// there is none.
func cpuDir(h cgroup.Hierarchy, memDir string) string {
	switch h.Version {
	case cgroup.V2:
		return memDir
	case cgroup.V1:
		if h.CPUMount == "" {
			return ""
		}
		rel, err := filepath.Rel(h.Mount, memDir)
		if err != nil || strings.HasPrefix(rel, "..") {
			return ""
		}
		dir := filepath.Join(h.CPUMount, rel)
		if _, err := os.Stat(filepath.Join(dir, "cpuacct.usage")); err != nil {
			return ""
		}
		return dir
	}
	return ""
}

// CPU reads the container's CPU time from its cgroup; after the container
// is gone (and the engine removed its cgroup) the last reading.
func (i *instance) CPU() (time.Duration, error) {
	if i.cpuDir == "" {
		return 0, fmt.Errorf("container %s: %w", short(i.id), cgroup.ErrNoCPUAccounting)
	}
	d, err := cgroup.ReadCPU(i.b.hier.Version, i.cpuDir)
	i.mu.Lock()
	defer i.mu.Unlock()
	if err != nil {
		if i.lastCPU > 0 {
			return i.lastCPU, nil
		}
		return 0, err
	}
	i.lastCPU = max(i.lastCPU, d)
	return i.lastCPU, nil
}

// Processes lists the host pids in the container's cgroup.
func (i *instance) Processes() ([]int, error) {
	if i.cgDir == "" {
		if i.pid > 0 {
			return []int{i.pid}, nil
		}
		return nil, i.cgErr
	}
	return cgroup.ReadProcs(i.cgDir)
}
