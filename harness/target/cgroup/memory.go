package cgroup

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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
		st, err := readKV(dir, "memory.stat")
		if err != nil {
			return m, err
		}
		m.Anon, m.File, m.InactiveFile = st["total_rss"], st["total_cache"], st["total_inactive_file"]
		m.MajorFaults = st["total_pgmajfault"]
		oc, err := readKV(dir, "memory.oom_control")
		if err != nil {
			return m, err
		}
		m.OOMKills = oc["oom_kill"]
	case V2:
		usage, err := readInt(dir, "memory.current")
		if err != nil {
			return m, err
		}
		m.Usage = usage
		m.Peak, _ = readInt(dir, "memory.peak") // kernel >= 5.19
		m.Limit, _ = readInt(dir, "memory.max") // "max" reads as 0
		st, err := readKV(dir, "memory.stat")
		if err != nil {
			return m, err
		}
		m.Anon, m.File, m.InactiveFile = st["anon"], st["file"], st["inactive_file"]
		m.MajorFaults = st["pgmajfault"]
		ev, err := readKV(dir, "memory.events")
		if err != nil {
			return m, err
		}
		m.OOMKills = ev["oom_kill"]
	default:
		return m, fmt.Errorf("cgroup %s: %w", dir, ErrNoMemoryController)
	}
	return m, nil
}

func readInt(dir, file string) (int64, error) {
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cgroup %s: parse %s: %w", dir, file, err)
	}
	return n, nil
}

// readKV reads a flat "key value" file such as memory.stat or memory.events.
func readKV(dir, file string) (map[string]int64, error) {
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			out[k] = n
		}
	}
	return out, sc.Err()
}
