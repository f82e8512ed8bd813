package pipeline

import (
	"io"
	"os"
	"path/filepath"
	"time"
)

// Env is what the pipeline gets from the operating system. The zero value
// of each field is safe: no writer discards, no signals, the wall clock.
type Env struct {
	// Stderr receives notes and warnings (a signal received, an unreadable
	// baseline); nil discards them.
	Stderr io.Writer
	// Signals delivers SIGINT/SIGTERM; nil means none.
	Signals <-chan os.Signal
	// Exit ends the process at once, on a second signal; nil means a
	// second signal only prints a note.
	Exit       func()
	ProcRoot   string // normally /proc
	CgroupRoot string // normally /sys/fs/cgroup
	Mounts     string // normally /proc/self/mounts
	Now        func() time.Time
	// Dir is the process's working directory, where relative paths
	// resolve: run.json records the matrix's path made absolute against
	// it (the run's targets build and start from the matrix's directory).
	// "" records a relative path as it is.
	Dir      string
	Hostname string // recorded in run.json
	// PID is soaklab's own process id, sampled as the driver's memory; 0
	// means the driver's memory is not sampled.
	PID int
}

func (e Env) stderr() io.Writer {
	if e.Stderr == nil {
		return io.Discard
	}
	return e.Stderr
}

func (e Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// abs makes p absolute against the working directory.
func (e Env) abs(p string) string {
	if filepath.IsAbs(p) || e.Dir == "" {
		return filepath.Clean(p)
	}
	return filepath.Join(e.Dir, p)
}
