package cgroup

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"soaklab/harness/target"
)

// ReadMemory reads the memory accounting of the cgroup directory dir.
// memory.failcnt is deliberately ignored: it stayed 0 when the limit was hit
// on v1 kernels; the oom_kill counter is what says the kernel killed.
func ReadMemory(v Version, dir string) (target.Memory, error) {
	var m target.Memory
	switch v {
	case V1:
		usage, err := readInt(dir, "memory.usage_in_bytes")
		if err != nil {
			return m, err
		}
		m.Usage = usage
		m.Peak, _ = readInt(dir, "memory.max_usage_in_bytes")
		m.Limit, _ = readInt(dir, "memory.limit_in_bytes")
		if err := readKV(dir, "memory.stat", []field{{"total_rss", &m.Anon}, {"total_cache", &m.File},
			{"total_inactive_file", &m.InactiveFile}, {"total_pgmajfault", &m.MajorFaults}}); err != nil {
			return m, err
		}
		if err := readKV(dir, "memory.oom_control", []field{{"oom_kill", &m.OOMKills}}); err != nil {
			return m, err
		}
	case V2:
		usage, err := readInt(dir, "memory.current")
		if err != nil {
			return m, err
		}
		m.Usage = usage
		m.Peak, _ = readInt(dir, "memory.peak") // kernel >= 5.19
		m.Limit, _ = readInt(dir, "memory.max") // "max" reads as 0
		if err := readKV(dir, "memory.stat", []field{{"anon", &m.Anon}, {"file", &m.File},
			{"inactive_file", &m.InactiveFile}, {"pgmajfault", &m.MajorFaults}}); err != nil {
			return m, err
		}
		if err := readKV(dir, "memory.events", []field{{"oom_kill", &m.OOMKills}}); err != nil {
			return m, err
		}
	default:
		return m, fmt.Errorf("cgroup %s: %w", dir, ErrNoMemoryController)
	}
	return m, nil
}

// readBuf is the buffer the memory files are read into, reused: they are
// read every interval and would otherwise be a few KiB of the harness's
// garbage each time. A read takes microseconds; one buffer under a lock
// serves every sampler.
var readBuf struct {
	sync.Mutex
	b [32 << 10]byte
}

// readFile reads dir/file into readBuf (held locked until done is called).
func readFile(dir, file string) (data []byte, done func(), err error) {
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	readBuf.Lock()
	n, err := io.ReadFull(f, readBuf.b[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		readBuf.Unlock()
		return nil, nil, fmt.Errorf("cgroup %s: read %s: %w", dir, file, err)
	}
	return readBuf.b[:n], readBuf.Unlock, nil
}

func readInt(dir, file string) (int64, error) {
	data, done, err := readFile(dir, file)
	if err != nil {
		return 0, err
	}
	defer done()
	v := bytes.TrimSpace(data)
	if string(v) == "max" {
		return 0, nil
	}
	if n, ok := parseInt(v); ok {
		return n, nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64) // 19 digits (v1's "no limit"), or the error
	if err != nil {
		return 0, fmt.Errorf("cgroup %s: parse %s: %w", dir, file, err)
	}
	return n, nil
}

// field is a key of a flat "key value" file and where its value goes.
type field struct {
	key string
	to  *int64
}

// readKV reads the fields wanted from a flat "key value" file such as
// memory.stat or memory.events; keys absent from the file leave their
// fields alone.
func readKV(dir, file string, fields []field) error {
	data, done, err := readFile(dir, file)
	if err != nil {
		return err
	}
	defer done()
	for line := range bytes.Lines(data) {
		k, v, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			continue
		}
		for _, f := range fields {
			if string(k) == f.key {
				if n, ok := parseInt(bytes.TrimSpace(v)); ok {
					*f.to = n
				}
				break
			}
		}
	}
	return nil
}

// parseInt parses a decimal, maybe negative, without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
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
