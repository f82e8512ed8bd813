package docker

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// ErrNoCgroup is returned by Memory when the container's cgroup directory
// could not be found (or the target exited before it was looked up).
var ErrNoCgroup = errors.New("container cgroup not found")

// cgroupDir finds the memory cgroup directory of a container from its host
// pid: the memory line of /proc/<pid>/cgroup (v1) or the unified line (v2),
// joined to the hierarchy's mount. That works whatever the engine's cgroup
// driver and parent. When the pid is gone, the usual places are tried: v1
// <mount>/docker/<id>, v2 <mount>/system.slice/docker-<id>.scope and
// <mount>/docker/<id>. A directory whose path does not name the container
// is never taken: with a remote engine the pid means nothing here.
func cgroupDir(procRoot string, h cgroup.Hierarchy, pid int, id string) (string, error) {
	if h.Version == cgroup.None {
		return "", fmt.Errorf("%w: container %s: no memory hierarchy", ErrNoCgroup, short(id))
	}
	if pid > 0 {
		if rel, err := memoryPath(filepath.Join(procRoot, strconv.Itoa(pid), "cgroup"), h.Version); err == nil {
			// The engine names the cgroup after the container; a path
			// without the id is some other process's (a remote engine's
			// pid that happens to exist here).
			dir := filepath.Join(h.Mount, rel)
			if strings.Contains(rel, id) && isCgroup(dir, h.Version) {
				return dir, nil
			}
		}
	}
	var candidates []string
	switch h.Version {
	case cgroup.V1:
		candidates = []string{filepath.Join(h.Mount, "docker", id)}
	case cgroup.V2:
		candidates = []string{filepath.Join(h.Mount, "system.slice", "docker-"+id+".scope"),
			filepath.Join(h.Mount, "docker", id)}
	}
	for _, dir := range candidates {
		if isCgroup(dir, h.Version) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w: container %s (pid %d) under %s", ErrNoCgroup, short(id), pid, h.Mount)
}

// memoryPath reads a /proc/<pid>/cgroup file and returns the path of the
// memory controller's cgroup (v1) or of the unified hierarchy (v2).
func memoryPath(file string, v cgroup.Version) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch v {
		case cgroup.V1:
			for _, c := range strings.Split(parts[1], ",") {
				if c == "memory" {
					return parts[2], nil
				}
			}
		case cgroup.V2:
			if parts[0] == "0" && parts[1] == "" {
				return parts[2], nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%w: no %s memory entry in %s", ErrNoCgroup, v, file)
}

// isCgroup reports whether dir holds the memory files soaklab reads.
func isCgroup(dir string, v cgroup.Version) bool {
	name := "memory.usage_in_bytes"
	if v == cgroup.V2 {
		name = "memory.current"
	}
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
