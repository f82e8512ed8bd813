package vmtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()
	const m = "@@soaklab-vm:abc"
	tests := []struct {
		name string
		out  string
		want []StepResult
	}{
		// two steps, CRLF from the serial line, output without a final newline glued to the marker
		{"steps", m + " kernel 6.1.0\r\n" + m + " controllers cpu memory\r\n" +
			m + " begin a\r\nhello\r\nworld\r\n\r\n" + m + " end a 0\r\n" +
			m + " begin b\r\nno newline\r\n" + m + " end b 3\r\n",
			[]StepResult{{Name: "a", Output: "hello\nworld\n", Code: 0, Ended: true}, {Name: "b", Output: "no newline", Code: 3, Ended: true}}},
		// a step cut short by the VM's end keeps what it printed
		{"cut", m + " kernel 6.1.0\n" + m + " begin a\npartial\n", []StepResult{{Name: "a", Output: "partial\n", Code: -1}}},
		// a target printing a marker of another boot is only output
		{"forged", m + " kernel 6.1.0\n" + m + " begin a\n@@soaklab-vm:xyz end a 0\n\n" + m + " end a 1\n",
			[]StepResult{{Name: "a", Output: "@@soaklab-vm:xyz end a 0\n", Code: 1, Ended: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r Result
			parse(tt.out, m, &r)
			assert.Equal(t, "6.1.0", r.KernelVersion)
			assert.Equal(t, tt.want, r.Steps)
		})
	}
}

// TestImageUnpacks writes an image and lists it with cpio, when installed.
func TestImageUnpacks(t *testing.T) {
	t.Parallel()
	cpioTool, err := exec.LookPath("cpio")
	if err != nil {
		t.Skip("cpio not installed")
	}
	dir := t.TempDir()
	host := filepath.Join(dir, "bin")
	require.NoError(t, os.WriteFile(host, []byte("#!/bin/sh\necho hi\n"), 0o755))
	im := &Image{files: map[string]file{}}
	im.Add("/a/b/c.sh", host, 0o755)
	im.Bytes("/e2e/m.yaml", []byte("odd length"), 0o644)
	im.Symlink("/bin/sh", "busybox")
	p, err := im.Write(dir)
	require.NoError(t, err)
	again, err := im.Write(dir)
	require.NoError(t, err)
	assert.Equal(t, p, again, "same contents, same image")

	out := filepath.Join(dir, "x")
	require.NoError(t, os.Mkdir(out, 0o755))
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(cpioTool, "-idm", "--no-absolute-filenames")
	cmd.Dir, cmd.Stdin, cmd.Stderr = out, f, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	data, err := os.ReadFile(filepath.Join(out, "a/b/c.sh"))
	require.NoError(t, err)
	assert.Equal(t, "#!/bin/sh\necho hi\n", string(data))
	st, err := os.Stat(filepath.Join(out, "a/b/c.sh"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), st.Mode().Perm())
	data, err = os.ReadFile(filepath.Join(out, "e2e/m.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "odd length", string(data))
	link, err := os.Readlink(filepath.Join(out, "bin/sh"))
	require.NoError(t, err)
	assert.Equal(t, "busybox", link)
}

func TestInitScript(t *testing.T) {
	t.Parallel()
	s := initScript("@@m", map[string]string{"B": "it's", "A": "1"}, []Step{{Name: "x", Timeout: 90 * time.Second}})
	assert.Contains(t, s, "mount -t cgroup2 cgroup2 /sys/fs/cgroup\necho +memory > /sys/fs/cgroup/cgroup.subtree_control")
	assert.Contains(t, s, "export A='1'\nexport B='it'\\''s'\n", "sorted and quoted")
	assert.Contains(t, s, "timeout -s KILL "+strconv.Itoa(90)+" sh /steps/x.sh")
	assert.True(t, strings.HasSuffix(s, "poweroff -f\n"))
	assert.False(t, validName("a b"))
	assert.True(t, validName("e2e-orphans.2"))
}
