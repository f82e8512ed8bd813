package docker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// TestCPUDir finds where a container's CPU time is counted from its memory
// cgroup, in fake hierarchies.
func TestCPUDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mem := filepath.Join(root, "memory", "docker", "abc")
	cpu := filepath.Join(root, "cpuacct", "docker", "abc")
	require.NoError(t, os.MkdirAll(mem, 0o755))
	require.NoError(t, os.MkdirAll(cpu, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cpu, "cpuacct.usage"), []byte("42000\n"), 0o644))
	v1 := cgroup.Hierarchy{Version: cgroup.V1, Mount: filepath.Join(root, "memory"), CPUMount: filepath.Join(root, "cpuacct")}
	tests := []struct {
		name string
		h    cgroup.Hierarchy
		mem  string
		want string
	}{
		// v1: the same path under the cpuacct mount
		{"v1", v1, mem, cpu},
		// v1 without cpuacct mounted: nowhere
		{"v1-no-cpuacct", cgroup.Hierarchy{Version: cgroup.V1, Mount: v1.Mount}, mem, ""},
		// v1 whose twin the engine did not make: nowhere
		{"v1-no-twin", v1, filepath.Join(root, "memory", "docker", "other"), ""},
		// a memory dir outside the mount: nowhere
		{"outside", v1, "/elsewhere/docker/abc", ""},
		// v2: the container's own cgroup
		{"v2", cgroup.Hierarchy{Version: cgroup.V2, Mount: root}, mem, mem},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, cpuDir(tt.h, tt.mem), tt.name)
	}
	d, err := cgroup.ReadCPU(cgroup.V1, cpuDir(v1, mem))
	require.NoError(t, err)
	assert.Equal(t, int64(42), d.Microseconds())
}
