// Package cgroup creates, reads and removes the memory cgroups soaklab puts
// targets in, on cgroup v1 and v2.
//
// It is a small reader of the few files soaklab needs rather than a general
// cgroup library: containerd/cgroups is heavy in dependencies and
// opencontainers/cgroups touches every v1 controller, while soaklab only
// needs the memory controller's limit, usage, peak, stat and oom_kill
// counter (see PLATFORM.md), and the CPU time of each group (v1: a twin
// group in the cpuacct hierarchy; v2: cpu.stat). The file-system root is passed in, so tests run
// against fixtures as well as the real kernel.
package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Version of the cgroup hierarchy holding the memory controller.
type Version int

// Versions.
const (
	None Version = 0
	V1   Version = 1
	V2   Version = 2
)

func (v Version) String() string {
	switch v {
	case V1:
		return "v1"
	case V2:
		return "v2"
	}
	return "none"
}

// DefaultRoot is where cgroup file systems are mounted.
const DefaultRoot = "/sys/fs/cgroup"

// Parent is the directory, below the memory hierarchy's root, under which
// soaklab creates its cgroups. `soaklab clean` removes what is left there.
const Parent = "soaklab"

// ErrNoMemoryController is returned when no writable memory controller is
// found.
var ErrNoMemoryController = errors.New("no writable cgroup memory controller")

// Hierarchy is the mounted memory hierarchy soaklab creates cgroups in.
type Hierarchy struct {
	Version Version
	Mount   string // e.g. /sys/fs/cgroup/memory (v1) or /sys/fs/cgroup (v2)
	// Base is the cgroup under which soaklab's Parent is made: Mount when
	// empty (root), or a delegated subtree (see Delegate).
	Base string
	// CPUMount is, on v1, the mount of the cpuacct controller (alone or
	// with cpu): soaklab makes each group's twin there to count its CPU
	// time. "" when not mounted; v2 needs none (cpu.stat).
	CPUMount string
}

// Root is where soaklab's Parent directory lives: Base, or Mount.
func (h Hierarchy) Root() string {
	if h.Base != "" {
		return h.Base
	}
	return h.Mount
}

// Detect finds the memory controller under root (normally DefaultRoot),
// with procMounts the mount table (normally /proc/self/mounts). It prefers
// v2 when the unified hierarchy has the memory controller, then v1.
func Detect(root, procMounts string) (Hierarchy, error) {
	mounts, err := readMounts(procMounts)
	if err != nil {
		return Hierarchy{}, err
	}
	var v1, cpu string
	for _, m := range mounts {
		if !strings.HasPrefix(m.dir, root) {
			continue
		}
		switch m.fstype {
		case "cgroup2":
			ctrl, err := os.ReadFile(filepath.Join(m.dir, "cgroup.controllers"))
			if err == nil && hasWord(string(ctrl), "memory") {
				return Hierarchy{Version: V2, Mount: m.dir}, nil
			}
		case "cgroup":
			opts := strings.ReplaceAll(m.opts, ",", " ")
			if hasWord(opts, "memory") {
				v1 = m.dir
			}
			if hasWord(opts, "cpuacct") {
				cpu = m.dir
			}
		}
	}
	if v1 != "" {
		return Hierarchy{Version: V1, Mount: v1, CPUMount: cpu}, nil
	}
	return Hierarchy{}, fmt.Errorf("%w under %s", ErrNoMemoryController, root)
}

type mount struct{ dir, fstype, opts string }

func readMounts(path string) ([]mount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		out = append(out, mount{dir: unescape(fields[1]), fstype: fields[2], opts: fields[3]})
	}
	return out, sc.Err()
}

// unescape undoes the octal escapes of /proc/mounts (\040 for space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

// Dir is the directory of the named soaklab cgroup.
func (h Hierarchy) Dir(name string) string {
	return filepath.Join(h.Root(), Parent, name)
}
