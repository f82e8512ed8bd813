// Package process is soaklab's embedded default backend: each target is a
// child process placed in a fresh memory cgroup (v1 or v2) whose limit is
// the cell's ram. Without a writable cgroup it still runs and holds the limit
// with an RSS watchdog, and says so.
package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// Defaults.
const (
	// DefaultStopGrace is how long Stop waits after SIGTERM before SIGKILL.
	DefaultStopGrace = 5 * time.Second
	// DefaultWatchdogInterval is how often the watchdog reads RSS when no
	// cgroup holds the limit.
	DefaultWatchdogInterval = 100 * time.Millisecond
)

// ErrNoCgroup is returned by Memory in watchdog mode.
var ErrNoCgroup = errors.New("no cgroup: limit held by the RSS watchdog")

// ErrNeedsLinux is returned by Start off Linux: the backend's child
// processes rely on Linux (cgroups, the parent-death signal, /proc).
var ErrNeedsLinux = errors.New("the process backend needs Linux")

var _ target.Backend = (*Backend)(nil)
var _ target.Cleaner = (*Backend)(nil)

// Backend starts targets as child processes.
type Backend struct {
	hier     cgroup.Hierarchy
	noCgroup error // why cgroups are not used, nil when they are
	procRoot string
	grace    time.Duration
	watchdog time.Duration
	seq      atomic.Int64
	onlyRuns []string // Clean only these runs' cgroups; nil = all
}

// Option configures a Backend.
type Option func(*config)

type config struct {
	cgroupRoot, mounts, procRoot string
	forceWatchdog                bool
	onlyRuns                     []string
	grace, watchdog              time.Duration
}

// CgroupRoot sets where cgroup file systems are mounted and the mount table
// to read (defaults /sys/fs/cgroup and /proc/self/mounts).
func CgroupRoot(root, mounts string) Option {
	return func(c *config) { c.cgroupRoot, c.mounts = root, mounts }
}

// ProcRoot sets the proc file system's mount point (default /proc).
func ProcRoot(root string) Option { return func(c *config) { c.procRoot = root } }

// Watchdog forces the RSS watchdog even where cgroups are available.
func Watchdog() Option { return func(c *config) { c.forceWatchdog = true } }

// OnlyRuns limits Clean to the cgroups of the named runs (`soaklab clean
// --run`).
func OnlyRuns(ids ...string) Option { return func(c *config) { c.onlyRuns = ids } }

// StopGrace sets how long Stop waits between SIGTERM and SIGKILL.
func StopGrace(d time.Duration) Option { return func(c *config) { c.grace = d } }

// New detects the cgroup hierarchy and checks that soaklab can create
// cgroups in it. Failing that, the backend runs in watchdog mode; Mode says
// which and why.
func New(opts ...Option) *Backend {
	c := config{cgroupRoot: cgroup.DefaultRoot, mounts: "/proc/self/mounts", procRoot: "/proc",
		grace: DefaultStopGrace, watchdog: DefaultWatchdogInterval}
	for _, o := range opts {
		o(&c)
	}
	b := &Backend{procRoot: c.procRoot, grace: c.grace, watchdog: c.watchdog, onlyRuns: c.onlyRuns}
	if c.forceWatchdog {
		b.noCgroup = errors.New("watchdog requested")
		return b
	}
	h, err := cgroup.Detect(c.cgroupRoot, c.mounts)
	if err == nil {
		err = probeWritable(h)
		if err != nil && h.Version == cgroup.V2 {
			// Not root: a delegated subtree (systemd's Delegate=yes) will do.
			if d, derr := h.Delegate(filepath.Join(c.procRoot, "self", "cgroup")); derr == nil {
				h, err = d, probeWritable(d)
			} else {
				err = fmt.Errorf("%w; %w", err, derr)
			}
		}
	}
	b.hier, b.noCgroup = h, err
	return b
}

// probeWritable creates and removes a cgroup to prove soaklab may.
func probeWritable(h cgroup.Hierarchy) error {
	g, err := h.Create(fmt.Sprintf("probe-%d", os.Getpid()), 1<<30)
	if err != nil {
		return err
	}
	return g.Remove()
}

// Name is "process".
func (b *Backend) Name() string { return "process" }

// Mode says how limits are held: "cgroup-v1", "cgroup-v2" (with the
// delegated subtree when not root) or "watchdog (reason)".
func (b *Backend) Mode() string {
	if b.noCgroup != nil {
		return "watchdog (" + b.noCgroup.Error() + ")"
	}
	if b.hier.Base != "" {
		return "cgroup-" + b.hier.Version.String() + " (delegated " + b.hier.Base + ")"
	}
	return "cgroup-" + b.hier.Version.String()
}

// Hierarchy is the cgroup hierarchy in use; Version is None in watchdog mode.
func (b *Backend) Hierarchy() cgroup.Hierarchy {
	if b.noCgroup != nil {
		return cgroup.Hierarchy{}
	}
	return b.hier
}

// Start starts spec's program under its memory limit.
func (b *Backend) Start(ctx context.Context, spec target.Spec) (target.Instance, error) {
	path, err := exec.LookPath(spec.Path)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", spec.Name, err)
	}
	if spec.MemoryLimit <= 0 {
		return nil, fmt.Errorf("target %s: memory limit must be positive", spec.Name)
	}
	if b.noCgroup != nil {
		return startWatchdog(path, spec, b.procRoot, b.watchdog, b.grace)
	}
	name := fmt.Sprintf("%s_%d_%d", safeName(spec.RunID), os.Getpid(), b.seq.Add(1))
	g, err := b.hier.Create(name, spec.MemoryLimit)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", spec.Name, err)
	}
	inst, err := startInCgroup(path, spec, g, b.grace)
	if err != nil {
		g.Remove()
		return nil, fmt.Errorf("target %s: %w", spec.Name, err)
	}
	return inst, nil
}

// Clean removes the soaklab cgroups left by harnesses that are no longer
// running, killing what is still inside. Cgroups are named
// <run>_<harness pid>_<seq>, so a live run's cgroups are never touched.
func (b *Backend) Clean(ctx context.Context, w io.Writer) (int, error) {
	if b.noCgroup != nil {
		return 0, nil
	}
	parent := filepath.Join(b.hier.Root(), cgroup.Parent)
	entries, err := os.ReadDir(parent)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if alive(ownerPID(e.Name())) || !b.selected(e.Name()) {
			continue
		}
		g := b.hier.Group(e.Name()) // with its cpuacct twin on v1
		if err := g.Remove(); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(w, "removed cgroup %s\n", g.Path)
		n++
	}
	// v1 cpuacct twins whose memory group is gone (a harness killed
	// between removing the two).
	if b.hier.Version == cgroup.V1 && b.hier.CPUMount != "" {
		cpuParent := filepath.Join(b.hier.CPUMount, cgroup.Parent)
		twins, _ := os.ReadDir(cpuParent)
		for _, e := range twins {
			if !e.IsDir() || alive(ownerPID(e.Name())) || !b.selected(e.Name()) {
				continue
			}
			if _, err := os.Stat(filepath.Join(parent, e.Name())); err == nil {
				continue // its memory group is still there: not removed above
			}
			g := &cgroup.Group{Version: cgroup.V1, Path: filepath.Join(cpuParent, e.Name())}
			if err := g.Remove(); err != nil {
				errs = append(errs, err)
				continue
			}
			fmt.Fprintf(w, "removed cgroup %s\n", g.Path)
			n++
		}
	}
	return n, errors.Join(errs...)
}

// selected reports whether a cgroup name belongs to a run Clean may touch.
func (b *Backend) selected(name string) bool {
	if b.onlyRuns == nil {
		return true
	}
	run, ok := runOf(name)
	if !ok {
		return false
	}
	for _, id := range b.onlyRuns {
		if run == safeName(id) {
			return true
		}
	}
	return false
}

// runOf is the run part of a cgroup name <run>_<harness pid>_<seq>: all but
// the last two fields, so run "a" never matches the cgroups of run "a_b".
func runOf(name string) (string, bool) {
	i := strings.LastIndexByte(name, '_')
	if i <= 0 {
		return "", false
	}
	j := strings.LastIndexByte(name[:i], '_')
	if j <= 0 {
		return "", false
	}
	return name[:j], true
}

// ownerPID is the harness pid recorded in a cgroup name, 0 when absent.
func ownerPID(name string) int {
	parts := strings.Split(name, "_")
	if len(parts) < 3 {
		return 0
	}
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	return pid
}

func safeName(s string) string {
	if s == "" {
		return "run"
	}
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '\n' || r == '_' {
			return '_'
		}
		return r
	}, s)
}

// env is the target's environment: a small base, not the harness's own, so
// knobs such as GOGC or GOMEMLIMIT set for soaklab do not leak in.
func env(extra []string) []string {
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LANG=C.UTF-8"}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		base = append(base, "TMPDIR="+tmp)
	}
	return append(base, extra...)
}
