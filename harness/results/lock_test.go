package results

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLockRun: a second lock on the same run directory is refused while
// the first is held, naming its owner; released, or its owner dead, the
// lock is taken over.
func TestLockRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := LockRun(dir)
	require.NoError(t, err)
	_, err = LockRun(dir)
	require.ErrorIs(t, err, ErrLocked)
	host, _ := os.Hostname()
	require.ErrorContains(t, err, fmt.Sprintf("soaklab pid %d on host %s", os.Getpid(), host))
	require.NoError(t, l.Unlock())
	l2, err := LockRun(dir)
	require.NoError(t, err, "released: taken")
	require.NoError(t, l2.Unlock())
	require.NoError(t, (*RunLock)(nil).Unlock())
}

// TestLockRunDeadOwner: a process that took the lock and was killed
// (SIGKILL, no chance to clean up) leaves a lock file the next harness
// takes over.
func TestLockRunDeadOwner(t *testing.T) {
	if os.Getenv("SOAKLAB_LOCK_HOLDER") != "" {
		if _, err := LockRun(os.Getenv("SOAKLAB_LOCK_HOLDER")); err != nil {
			os.Exit(1)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockRunDeadOwner$")
	cmd.Env = append(os.Environ(), "SOAKLAB_LOCK_HOLDER="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	buf := make([]byte, 6)
	_, err = out.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "locked", string(buf))
	_, err = LockRun(dir)
	require.ErrorIs(t, err, ErrLocked, "held by a live process")
	require.ErrorContains(t, err, fmt.Sprintf("pid %d", cmd.Process.Pid))
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	l, err := LockRun(dir)
	require.NoError(t, err, "its owner dead, the lock is taken over")
	data, err := os.ReadFile(filepath.Join(dir, LockFile))
	require.NoError(t, err)
	require.Contains(t, string(data), fmt.Sprintf("pid %d\n", os.Getpid()))
	require.NoError(t, l.Unlock())
}
