package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// HarnessLeaf is the cgroup, inside a delegated subtree, that soaklab moves
// itself into when it was started in the subtree's root: cgroup v2 lets a
// cgroup hand controllers to its children only while no process sits in it
// ("no internal processes"), so the root must be emptied first.
const HarnessLeaf = "soaklab.harness"

// ErrNotDelegated is returned by Delegate when soaklab's own cgroup is not
// in a subtree this user may manage.
var ErrNotDelegated = errors.New("not in a delegated cgroup v2 subtree")

// Delegate prepares a v2 hierarchy for an unprivileged soaklab: it finds
// the delegated subtree holding soaklab's own cgroup (read from
// procSelfCgroup, normally /proc/self/cgroup) — the topmost of the nearest
// run of soaklab's cgroup and its ancestors whose directory, cgroup.procs
// and cgroup.subtree_control this user may write, as systemd's
// Delegate=yes or a chown by an administrator leaves them; soaklab may sit
// in a child of it that is not its own — and returns the hierarchy with
// Base there. When soaklab sits in that
// root itself it moves into HarnessLeaf first; when other processes sit
// there too it fails, naming them, since the memory controller cannot be
// handed down past them. The memory controller must reach the subtree
// (memory in its cgroup.controllers); Delegate enables it for the subtree's
// children.
func (h Hierarchy) Delegate(procSelfCgroup string) (Hierarchy, error) {
	if h.Version != V2 {
		return h, fmt.Errorf("%w: delegation needs cgroup v2, the memory controller is on %s", ErrNotDelegated, h.Version)
	}
	rel, err := ownCgroup(procSelfCgroup)
	if err != nil {
		return h, err
	}
	own := filepath.Join(h.Mount, rel)
	root := ""
	for dir := own; strings.HasPrefix(dir, h.Mount) && dir != h.Mount; dir = filepath.Dir(dir) {
		if manageable(dir) {
			root = dir
		} else if root != "" {
			break
		}
	}
	if root == "" {
		return h, fmt.Errorf("%w: no cgroup from soaklab's own (%s) up is writable by uid %d (delegate one: systemd-run --user --scope -p Delegate=yes, or chown it with its cgroup.procs, cgroup.subtree_control and cgroup.threads)",
			ErrNotDelegated, own, os.Getuid())
	}
	ctrl, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return h, err
	}
	if !hasWord(string(ctrl), "memory") {
		return h, fmt.Errorf("%w: the memory controller does not reach %s (its cgroup.controllers: %q); its parent must enable it (systemd does for user@.service with Delegate=yes; else echo +memory > <parent>/cgroup.subtree_control as root)",
			ErrNotDelegated, root, strings.TrimSpace(string(ctrl)))
	}
	if root == own {
		if err := vacate(root); err != nil {
			return h, err
		}
	}
	if err := os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
		return h, fmt.Errorf("enable the memory controller in delegated cgroup %s: %w", root, err)
	}
	h.Base = root
	return h, nil
}

// vacate moves soaklab out of the delegated root into HarnessLeaf and
// checks nothing else is left there.
func vacate(root string) error {
	leaf := filepath.Join(root, HarnessLeaf)
	if err := os.Mkdir(leaf, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("delegated cgroup %s: %w", root, err)
	}
	if err := os.WriteFile(filepath.Join(leaf, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
		return fmt.Errorf("move soaklab into %s: %w", leaf, err)
	}
	data, err := os.ReadFile(filepath.Join(root, "cgroup.procs"))
	if err != nil {
		return err
	}
	if others := strings.Fields(string(data)); len(others) > 0 {
		return fmt.Errorf("%w: other processes (pids %s) share soaklab's delegated cgroup %s, and cgroup v2 hands the memory controller down only from a cgroup without processes: start soaklab as the only process of its scope (systemd-run --user --scope -p Delegate=yes soaklab run ...)",
			ErrNotDelegated, strings.Join(others, " "), root)
	}
	return nil
}

// manageable reports whether this user may create cgroups in dir and move
// processes through it.
func manageable(dir string) bool {
	for _, p := range []string{dir, filepath.Join(dir, "cgroup.procs"), filepath.Join(dir, "cgroup.subtree_control")} {
		if !writable(p) {
			return false
		}
	}
	return true
}

// ownCgroup reads the unified hierarchy's line ("0::/path") of a
// /proc/<pid>/cgroup file.
func ownCgroup(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return rest, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%w: no cgroup v2 entry (0::) in %s", ErrNotDelegated, file)
}
