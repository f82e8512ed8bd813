// Package smallfile reads the small kernel files the sampler reads every
// interval (/proc/<pid>/status, a cgroup's memory files) into one reused
// buffer, and parses their numbers without allocating, so that a sample
// costs the harness the open files and nothing for their contents: the
// harness's per-interval garbage is what moves its own heap, and so its
// RSS, during a soak.
package smallfile

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// MaxSize is how much of a file Read hands over; the files read are a few
// KiB at most.
const MaxSize = 32 << 10

// buf is the buffer every Read fills. A read takes microseconds, so one
// buffer under a lock serves every sampler.
var buf struct {
	sync.Mutex
	b [MaxSize]byte
}

// Read opens path and hands its contents (the first MaxSize bytes) to
// parse, which must not keep them: the buffer is reused by the next call.
// An error opening the file is returned as is.
func Read(path string, parse func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf.Lock()
	defer buf.Unlock()
	n, err := io.ReadFull(f, buf.b[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return parse(buf.b[:n])
}

// ParseInt parses a decimal with an optional minus sign, without making
// the bytes a string; ok is false for anything else and for more than 18
// digits (the caller falls back to strconv there).
func ParseInt(b []byte) (n int64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
