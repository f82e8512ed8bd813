package cgroup

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/soaklab/soaklab/harness/internal/smallfile"
	"github.com/soaklab/soaklab/harness/target"
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
			{"total_inactive_file", &m.InactiveFile}, {"total_pgmajfault", &m.MajorFaults},
			{"total_shmem", &m.Shmem}}); err != nil {
			return m, err
		}
		// Kernel memory: slab, stacks, page tables, pipe buffers... (part of
		// usage); TCP buffers have their own counter, outside usage, that
		// counts only once a TCP limit is set (Create sets it).
		m.Kernel, _ = readInt(dir, "memory.kmem.usage_in_bytes")
		m.Sock, _ = readInt(dir, "memory.kmem.tcp.usage_in_bytes")
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
		k := kernelV2{kernel: -1}
		if err := readKV(dir, "memory.stat", []field{{"anon", &m.Anon}, {"file", &m.File},
			{"inactive_file", &m.InactiveFile}, {"pgmajfault", &m.MajorFaults},
			{"shmem", &m.Shmem}, {"sock", &m.Sock},
			{"kernel", &k.kernel}, {"slab_reclaimable", &k.slabReclaimable},
			{"kernel_stack", &k.stack}, {"pagetables", &k.pagetables}, {"sec_pagetables", &k.secPagetables},
			{"percpu", &k.percpu}, {"vmalloc", &k.vmalloc}, {"slab_unreclaimable", &k.slabUnreclaimable}}); err != nil {
			return m, err
		}
		m.Kernel = k.unreclaimable()
		if err := readKV(dir, "memory.events", []field{{"oom_kill", &m.OOMKills}}); err != nil {
			return m, err
		}
		m.Pressure = readPressure(dir) // nil when the kernel keeps no PSI
	default:
		return m, fmt.Errorf("cgroup %s: %w", dir, ErrNoMemoryController)
	}
	return m, nil
}

// kernelV2 holds the kernel memory keys of a v2 memory.stat. kernel is -1
// until read: it exists from Linux 5.18.
type kernelV2 struct {
	kernel, slabReclaimable                                              int64
	stack, pagetables, secPagetables, percpu, vmalloc, slabUnreclaimable int64
}

// unreclaimable is the kernel memory the kernel cannot give back under
// pressure: "kernel" (every __GFP_ACCOUNT allocation, like v1's
// kmem.usage_in_bytes) less the reclaimable slab (dentries, inodes), or,
// before 5.18, the sum of the parts older kernels break out (stacks, page
// tables, per-cpu, vmalloc, unreclaimable slab; pipe buffers and other
// accounted allocations are then missing).
func (k kernelV2) unreclaimable() int64 {
	if k.kernel >= 0 {
		return max(0, k.kernel-k.slabReclaimable)
	}
	return k.stack + k.pagetables + k.secPagetables + k.percpu + k.vmalloc + k.slabUnreclaimable
}

func readInt(dir, file string) (n int64, err error) {
	err = smallfile.Read(filepath.Join(dir, file), func(data []byte) error {
		v := bytes.TrimSpace(data)
		if string(v) == "max" {
			n = 0
			return nil
		}
		var ok bool
		if n, ok = smallfile.ParseInt(v); ok {
			return nil
		}
		n, err = strconv.ParseInt(string(v), 10, 64) // 19 digits (v1's "no limit"), or the error
		if err != nil {
			return fmt.Errorf("cgroup %s: parse %s: %w", dir, file, err)
		}
		return nil
	})
	return n, err
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
	return smallfile.Read(filepath.Join(dir, file), func(data []byte) error {
		scanKV(data, fields)
		return nil
	})
}

// scanKV sets the fields found among the lines of data.
func scanKV(data []byte, fields []field) {
	for line := range bytes.Lines(data) {
		k, v, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			continue
		}
		for _, f := range fields {
			if string(k) == f.key {
				if n, ok := smallfile.ParseInt(bytes.TrimSpace(v)); ok {
					*f.to = n
				}
				break
			}
		}
	}
}

// readPressure reads a v2 memory.pressure file:
//
//	some avg10=0.00 avg60=0.00 avg300=0.00 total=0
//	full avg10=0.00 avg60=0.00 avg300=0.00 total=0
//
// It returns nil when the file is absent or unreadable (a kernel without
// CONFIG_PSI, or booted with psi=0, which Debian's and Fedora's honour).
func readPressure(dir string) *target.Pressure {
	var p target.Pressure
	ok := false
	_ = smallfile.Read(filepath.Join(dir, "memory.pressure"), func(data []byte) error {
		for line := range bytes.Lines(data) {
			f := bytes.Fields(line)
			if len(f) < 2 {
				continue
			}
			var avg *float64
			var total *int64
			switch string(f[0]) {
			case "some":
				avg, total = &p.SomeAvg10, &p.SomeTotal
			case "full":
				avg, total = &p.FullAvg10, &p.FullTotal
			default:
				continue
			}
			for _, kv := range f[1:] {
				k, v, _ := bytes.Cut(kv, []byte("="))
				switch string(k) {
				case "avg10":
					if x, err := strconv.ParseFloat(string(v), 64); err == nil {
						*avg = x
					}
				case "total":
					if n, good := smallfile.ParseInt(v); good {
						*total = n
						ok = true
					}
				}
			}
		}
		return nil
	})
	if !ok {
		return nil
	}
	return &p
}
