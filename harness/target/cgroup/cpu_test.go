package cgroup

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCPU(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "cpu.stat"), []byte("nr_periods 0\n"), 0o644))
	tests := []struct {
		name    string
		v       Version
		dir     string
		want    time.Duration
		wantErr string
	}{
		// v1: cpuacct.usage is nanoseconds.
		{"v1", V1, "testdata/v1/cpuacct", 1234567890 * time.Nanosecond, ""},
		// v2: usage_usec of cpu.stat, user and system together.
		{"v2", V2, "testdata/v2/cpu", 2500 * time.Millisecond, ""},
		// v2 without usage_usec: an error, never a zero reading.
		{"v2-no-usage", V2, empty, 0, "no usage_usec"},
		// v1 group without its cpuacct twin's file.
		{"v1-missing", V1, "testdata/v1/soak", 0, "no such file"},
		// no hierarchy: no accounting.
		{"none", None, "testdata/v1/cpuacct", 0, ErrNoCPUAccounting.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadCPU(tt.v, tt.dir)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestCreateCPU makes groups in fake hierarchies (plain directories): on
// v1 with a cpuacct mount the group gets its twin there, joined by Add and
// removed by Remove; v1 without one reads no CPU; v2 reads cpu.stat in the
// group itself.
func TestCreateCPU(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		v        Version
		cpuMount bool
		file     string // the accounting file the kernel would provide
		body     string
		want     time.Duration
		twin     bool
	}{
		// v1 with cpuacct mounted apart (this project's machines).
		{"v1-cpuacct", V1, true, "cpuacct.usage", "5000\n", 5 * time.Microsecond, true},
		// v1 without cpuacct: the memory group alone, CPU not measured.
		{"v1-no-cpuacct", V1, false, "", "", 0, false},
		// v2: the group's own cpu.stat.
		{"v2", V2, false, "cpu.stat", "usage_usec 7\n", 7 * time.Microsecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			h := Hierarchy{Version: tt.v, Mount: filepath.Join(root, "memory")}
			if tt.cpuMount {
				h.CPUMount = filepath.Join(root, "cpuacct")
			}
			require.NoError(t, os.MkdirAll(h.Mount, 0o755))
			g, err := h.Create("run_1_1", 64<<20)
			require.NoError(t, err)
			assert.Equal(t, tt.twin, g.CPUPath != "", "cpuacct twin")
			if tt.file != "" {
				dir := g.Path
				if tt.twin {
					dir = g.CPUPath
					assert.Equal(t, filepath.Join(h.CPUMount, Parent, "run_1_1"), dir)
				}
				require.NoError(t, os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.body), 0o644))
			}
			got, err := g.CPU()
			if tt.want == 0 {
				assert.ErrorIs(t, err, ErrNoCPUAccounting)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			}
			if tt.twin {
				require.NoError(t, g.Add(os.Getpid()))
				procs, _ := os.ReadFile(filepath.Join(g.CPUPath, "cgroup.procs"))
				assert.Equal(t, strconv.Itoa(os.Getpid()), string(procs), "Add joins the twin too")
				assert.Equal(t, g.CPUPath, h.Group("run_1_1").CPUPath, "leftovers are found with their twin")
				// Remove's rmdir fails on a plain directory with files;
				// empty both as the kernel would once the tasks are gone.
				for _, d := range []string{g.Path, g.CPUPath} {
					entries, _ := os.ReadDir(d)
					for _, e := range entries {
						require.NoError(t, os.Remove(filepath.Join(d, e.Name())))
					}
				}
				require.NoError(t, g.Remove())
				assert.NoDirExists(t, g.CPUPath)
				assert.NoDirExists(t, g.Path)
			}
		})
	}
}
