// Package docker is soaklab's container backend: each target runs in a
// container started through testcontainers-go, with host networking (traffic
// stays on loopback), a memory limit with swap equal to it, and labels that
// let `soaklab clean` find what an interrupted run left behind.
//
// The image is a user's local image, a Dockerfile built on the spot, or a
// static binary wrapped in a FROM scratch image. Nothing is ever pulled.
// Memory is read from the container's own cgroup files, and an OOM kill is
// taken from the cgroup's oom_kill counter as well as from the engine's
// State.OOMKilled, which is not reliable on every kernel and daemon.
//
// The testcontainers reaper is disabled (its image cannot be pulled where
// there is no registry): every container is removed by Stop, and Clean
// removes the leftovers of runs that died.
package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// Defaults.
const (
	// DefaultStopGrace is how long Stop lets a container handle SIGTERM
	// before the engine sends SIGKILL.
	DefaultStopGrace = 5 * time.Second
	// DefaultPingTimeout bounds how long New and Available wait for the
	// engine to answer.
	DefaultPingTimeout = 5 * time.Second
	// DefaultPollInterval is how often the instance's cgroup is read in the
	// background, so that its peak and oom_kill counter survive the
	// container's cgroup, which the engine removes as soon as it exits.
	DefaultPollInterval = 50 * time.Millisecond
	// DefaultHostOverride is set as TESTCONTAINERS_HOST_OVERRIDE when that is
	// unset: with host networking the target is always on loopback, and
	// testcontainers would otherwise guess a gateway inside a container
	// (any machine with /.dockerenv).
	DefaultHostOverride = "127.0.0.1"
)

// Labels put on every container (and on built images: LabelBuilt).
const (
	LabelRun    = "soaklab.run"    // the run id
	LabelCell   = "soaklab.cell"   // the cell id
	LabelTarget = "soaklab.target" // the target name
	LabelOwner  = "soaklab.owner"  // "<hostname>:<pid>" of the harness that started it
	LabelBuilt  = "soaklab.built"  // "true" on images soaklab built
)

// ErrNoEngine is returned by New when no Docker engine answers.
var ErrNoEngine = errors.New("no docker engine answers")

var (
	_ target.Backend = (*Backend)(nil)
	_ target.Cleaner = (*Backend)(nil)
)

// Backend starts targets in containers.
type Backend struct {
	cli     *client.Client
	version string // engine version, for messages
	hier    cgroup.Hierarchy
	hierErr error

	cfg config

	mu     sync.Mutex
	images map[string]string // build key → image reference
}

// Option configures a Backend.
type Option func(*config)

type config struct {
	cgroupRoot, mounts, procRoot string
	grace, poll, ping            time.Duration
	keepRuns                     map[string]bool
	onlyRuns                     map[string]bool
	cleanImages                  bool
	imageGrace                   time.Duration
	ignoreStateOOM               bool   // tests: prove the cgroup counter alone reports OOM
	imageTarget                  string // tests: clean only this target's built images
}

// CgroupRoot sets where cgroup file systems are mounted and the mount table
// to read (defaults /sys/fs/cgroup and /proc/self/mounts).
func CgroupRoot(root, mounts string) Option {
	return func(c *config) { c.cgroupRoot, c.mounts = root, mounts }
}

// ProcRoot sets the proc file system's mount point (default /proc), where the
// container's cgroup is looked up from its host pid.
func ProcRoot(root string) Option { return func(c *config) { c.procRoot = root } }

// StopGrace sets how long Stop waits between SIGTERM and SIGKILL (whole
// seconds; the engine counts in seconds).
func StopGrace(d time.Duration) Option { return func(c *config) { c.grace = d } }

// PollInterval sets how often the container's cgroup is read in the
// background (DefaultPollInterval).
func PollInterval(d time.Duration) Option { return func(c *config) { c.poll = d } }

// PingTimeout bounds the engine check of New (DefaultPingTimeout).
func PingTimeout(d time.Duration) Option { return func(c *config) { c.ping = d } }

// OnlyRuns limits Clean to the containers of the named runs
// (`soaklab clean --run`); without it Clean considers every soaklab container.
func OnlyRuns(ids ...string) Option {
	return func(c *config) {
		if c.onlyRuns == nil {
			c.onlyRuns = make(map[string]bool)
		}
		for _, id := range ids {
			c.onlyRuns[id] = true
		}
	}
}

// KeepRuns names runs whose containers Clean must leave alone (a run in
// progress in this process, for instance).
func KeepRuns(ids ...string) Option {
	return func(c *config) {
		if c.keepRuns == nil {
			c.keepRuns = make(map[string]bool)
		}
		for _, id := range ids {
			c.keepRuns[id] = true
		}
	}
}

// CleanImages makes Clean also remove dangling images soaklab built (images
// labelled soaklab.built whose tag moved to a newer build).
func CleanImages() Option { return func(c *config) { c.cleanImages = true } }

// ImageGrace sets how old a dangling image must be before CleanImages
// removes it (default DefaultImageGrace).
func ImageGrace(d time.Duration) Option { return func(c *config) { c.imageGrace = d } }

// New connects to the Docker engine and checks that it answers; without one
// it fails fast with ErrNoEngine. It disables the testcontainers reaper,
// defaults TESTCONTAINERS_HOST_OVERRIDE (see DefaultHostOverride) in this
// process's environment and silences testcontainers' default logger; that must happen before testcontainers first reads
// its configuration, so create the Backend before any other testcontainers
// use.
func New(ctx context.Context, opts ...Option) (*Backend, error) {
	c := config{cgroupRoot: cgroup.DefaultRoot, mounts: "/proc/self/mounts", procRoot: "/proc",
		grace: DefaultStopGrace, poll: DefaultPollInterval, ping: DefaultPingTimeout, imageGrace: DefaultImageGrace}
	for _, o := range opts {
		o(&c)
	}
	setTestcontainersEnv()
	cli, version, err := connect(ctx, c.ping)
	if err != nil {
		return nil, err
	}
	b := &Backend{cli: cli, version: version, cfg: c, images: make(map[string]string)}
	b.hier, b.hierErr = cgroup.Detect(c.cgroupRoot, c.mounts)
	return b, nil
}

// setTestcontainersEnv turns the reaper off, points testcontainers at
// loopback unless the user chose another host, and silences its default
// logger (its banner and progress lines would land in soaklab's output).
// It runs once per process.
func setTestcontainersEnv() {
	envOnce.Do(func() {
		tclog.SetDefault(noopLogger)
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
		if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
			os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", DefaultHostOverride)
		}
	})
}

var envOnce sync.Once

// connect opens a client the way testcontainers finds the engine (DOCKER_HOST,
// docker context, default socket) and pings it, negotiating the API version.
func connect(ctx context.Context, timeout time.Duration) (*client.Client, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dc, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v (start one with scripts/docker/install.sh, or set DOCKER_HOST)", ErrNoEngine, err)
	}
	cli := dc.Client
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		cli.Close()
		return nil, "", fmt.Errorf("%w at %s: %v", ErrNoEngine, cli.DaemonHost(), err)
	}
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		cli.Close()
		return nil, "", fmt.Errorf("%w at %s: %v", ErrNoEngine, cli.DaemonHost(), err)
	}
	return cli, fmt.Sprintf("docker engine %s at %s", v.Version, cli.DaemonHost()), nil
}

// Available reports whether a Docker engine answers, and if not why.
func Available(ctx context.Context) error {
	setTestcontainersEnv()
	cli, _, err := connect(ctx, DefaultPingTimeout)
	if err != nil {
		return err
	}
	return cli.Close()
}

// Auto implements `backend: auto`: the docker backend when an engine
// answers, fallback otherwise. The string says which was chosen and why, for
// the harness to print.
func Auto(ctx context.Context, fallback target.Backend, opts ...Option) (target.Backend, string) {
	b, err := New(ctx, opts...)
	if err != nil {
		return fallback, fmt.Sprintf("backend auto: %s (%v)", fallback.Name(), err)
	}
	return b, fmt.Sprintf("backend auto: docker (%s)", b.version)
}

// Name is "docker".
func (b *Backend) Name() string { return "docker" }

// Mode says which engine is used and how memory is read.
func (b *Backend) Mode() string {
	if b.hierErr != nil {
		return b.version + ", cgroup files unreadable (" + b.hierErr.Error() + ")"
	}
	return b.version + ", cgroup " + b.hier.Version.String()
}

// Close releases the engine connection.
func (b *Backend) Close() error { return b.cli.Close() }

// owner is the value of LabelOwner for this process.
func owner() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}

func labels(spec target.Spec) map[string]string {
	return map[string]string{LabelRun: nonEmpty(spec.RunID, "run"), LabelCell: spec.CellID,
		LabelTarget: spec.Name, LabelOwner: owner()}
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// noopLogger silences testcontainers' own progress lines: soaklab reports
// what matters itself.
var noopLogger = tclog.NewNoopLogger()
