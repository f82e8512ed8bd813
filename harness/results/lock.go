package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// errBusy is tryLock's answer for a lock another process holds.
var errBusy = errors.New("lock held")

// LockFile is the lock a harness holds on a run directory while it writes
// there. It holds the owner's pid and host, for the message another
// harness gets.
const LockFile = ".lock"

// ErrLocked is returned by LockRun while another live process holds the
// run directory.
var ErrLocked = errors.New("run directory in use")

// RunLock is a held lock on a run directory.
type RunLock struct{ f *os.File }

// LockRun takes the lock on run directory dir (which must exist): one
// harness per run directory. The lock is an flock on dir/.lock, so the
// kernel releases it when its owner dies however it dies (kill -9, OOM
// kill), and the next harness takes over; while the owner lives, LockRun
// fails with ErrLocked naming its pid and host.
func LockRun(dir string) (*RunLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := tryLock(f); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errBusy) {
			return nil, fmt.Errorf("%w: %s is being written by soaklab %s; wait for it to end or stop it first",
				ErrLocked, dir, describeOwner(string(owner)))
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(fmt.Sprintf("pid %d\nhost %s\n", os.Getpid(), host)), 0)
	}
	return &RunLock{f: f}, nil
}

// describeOwner turns the lock file's text into "pid N on host H".
func describeOwner(text string) string {
	var pid, host string
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "pid "); ok {
			if _, err := strconv.Atoi(v); err == nil {
				pid = v
			}
		}
		if v, ok := strings.CutPrefix(line, "host "); ok {
			host = Printable(v)
		}
	}
	switch {
	case pid == "":
		return "(another process)"
	case host == "":
		return "pid " + pid
	}
	return "pid " + pid + " on host " + host
}

// Unlock releases the lock. The file stays: removing it would race with
// a harness opening it.
func (l *RunLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
