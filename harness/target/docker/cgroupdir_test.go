package docker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// writeFiles creates files (path relative to root → content).
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

func TestCgroupDir(t *testing.T) {
	t.Parallel()
	const id = "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name  string
		v     cgroup.Version
		files map[string]string // under a temp root holding proc/ and mnt/
		pid   int
		want  string // relative to mnt/, "" for ErrNoCgroup
	}{
		// v1, memory controller alone: the path of the memory line
		{"v1 proc", cgroup.V1, map[string]string{
			"proc/42/cgroup": "5:devices:/docker/" + id + "\n4:memory:/docker/" + id + "\n0::/\n",
			"mnt/docker/" + id + "/memory.usage_in_bytes": "1\n"}, 42, "docker/" + id},
		// v1, memory co-mounted with other controllers and a custom parent
		{"v1 co-mounted", cgroup.V1, map[string]string{
			"proc/42/cgroup": "3:cpu,memory:/ci/" + id + "\n",
			"mnt/ci/" + id + "/memory.usage_in_bytes": "1\n"}, 42, "ci/" + id},
		// v2 with the systemd driver: the unified line
		{"v2 proc", cgroup.V2, map[string]string{
			"proc/42/cgroup": "0::/system.slice/docker-" + id + ".scope\n",
			"mnt/system.slice/docker-" + id + ".scope/memory.current": "1\n"}, 42, "system.slice/docker-" + id + ".scope"},
		// v1, the pid already gone: the cgroupfs driver's usual place
		{"v1 fallback", cgroup.V1, map[string]string{
			"mnt/docker/" + id + "/memory.usage_in_bytes": "1\n"}, 42, "docker/" + id},
		// v2, pid unknown: the cgroupfs driver's place under v2
		{"v2 fallback", cgroup.V2, map[string]string{
			"mnt/docker/" + id + "/memory.current": "1\n"}, 0, "docker/" + id},
		// the proc entry names a directory without memory files, nothing else
		{"not found", cgroup.V1, map[string]string{
			"proc/42/cgroup":      "4:memory:/elsewhere\n",
			"mnt/elsewhere/tasks": ""}, 42, ""},
		// the pid is a local process of another cgroup (remote engine)
		{"foreign pid", cgroup.V1, map[string]string{
			"proc/42/cgroup":                       "4:memory:/user.slice\n",
			"mnt/user.slice/memory.usage_in_bytes": "1\n"}, 42, ""},
		// no memory hierarchy at all
		{"no hierarchy", cgroup.None, nil, 42, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			h := cgroup.Hierarchy{Version: tc.v, Mount: filepath.Join(root, "mnt")}
			got, err := cgroupDir(filepath.Join(root, "proc"), h, tc.pid, id)
			if tc.want == "" {
				require.ErrorIs(t, err, ErrNoCgroup)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(root, "mnt", tc.want), got)
		})
	}
}

// The watcher keeps the highest peak and oom_kill count after the engine
// removes the cgroup.
func TestWatcherKeepsReadingsAfterCgroupGoes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "docker-x.scope")
	writeFiles(t, dir, map[string]string{
		"memory.current": "1000\n", "memory.peak": "2000\n", "memory.max": "4096\n",
		"memory.stat": "anon 700\nfile 300\ninactive_file 100\n", "memory.events": "oom 0\noom_kill 0\n"})
	w := newWatcher(cgroup.V2, dir, 5*time.Millisecond)
	defer w.close()
	assert.Equal(t, int64(2000), w.snapshot().Peak)

	// The kill's counter is written last: a reading that sees it sees the
	// new peak too (files written in one call land in any order).
	writeFiles(t, dir, map[string]string{"memory.current": "4000\n", "memory.peak": "4096\n"})
	writeFiles(t, dir, map[string]string{"memory.events": "oom 1\noom_kill 1\n"})
	require.Eventually(t, func() bool { return w.snapshot().OOMKills == 1 }, 2*time.Second, 5*time.Millisecond)
	require.NoError(t, os.RemoveAll(dir))
	select {
	case <-w.stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("watcher still running after its cgroup went")
	}
	m := w.snapshot()
	assert.Equal(t, int64(4096), m.Peak)
	assert.Equal(t, int64(1), m.OOMKills)
	assert.Equal(t, int64(4000), m.Usage)
	assert.Equal(t, int64(4096), m.Limit)
}
