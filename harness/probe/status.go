package probe

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
)

// status is what the harness reads from /proc/<pid>/status each interval,
// in bytes (the file gives kB) and threads.
type status struct {
	VmRSS, VmHWM, RssAnon, RssFile, Threads int64
}

// statusBuf is the read buffer, reused: the file is read every interval for
// the target and the harness, and its ~1.5 KiB would otherwise be garbage
// each time. A read takes microseconds, so one buffer under a lock serves
// every sampler.
var statusBuf struct {
	sync.Mutex
	b [8 << 10]byte
}

// readStatus reads and parses the status file at path. It allocates only
// the open file.
func readStatus(path string) (status, error) {
	f, err := os.Open(path)
	if err != nil {
		return status{}, err
	}
	defer f.Close()
	statusBuf.Lock()
	defer statusBuf.Unlock()
	n, err := io.ReadFull(f, statusBuf.b[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		return status{}, fmt.Errorf("%s: %w", path, err)
	}
	st, err := parseStatus(statusBuf.b[:n])
	if err != nil {
		return status{}, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// parseStatus parses the lines of a status file ("VmRSS:\t  1234 kB").
// A kernel thread or a zombie has no Vm lines: they read as zero. It fails
// on a kept line whose value is not a number.
func parseStatus(b []byte) (status, error) {
	var st status
	for line := range bytes.Lines(b) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var at *int64
		kB := true
		switch string(key) {
		case "VmRSS":
			at = &st.VmRSS
		case "VmHWM":
			at = &st.VmHWM
		case "RssAnon":
			at = &st.RssAnon
		case "RssFile":
			at = &st.RssFile
		case "Threads":
			at, kB = &st.Threads, false
		default:
			continue
		}
		val = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(val), []byte("kB")))
		n, ok := parseCount(val)
		if !ok {
			return status{}, fmt.Errorf("%s: %q is not a number", key, val)
		}
		if kB {
			n *= 1024
		}
		*at = n
	}
	return st, nil
}

// parseCount parses a non-negative decimal without allocating (the bytes
// are not made a string).
func parseCount(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' || n > (math.MaxInt64-9)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
