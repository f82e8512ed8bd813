package vmtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Step is one shell script the VM runs (busybox sh, as root, from /), with
// its output and exit status sent back.
type Step struct {
	Name    string        // letters, digits, '-', '_', '.'
	Script  string        // the script's text
	Timeout time.Duration // SIGKILL after this; DefaultStepTimeout when 0
}

// Defaults.
const (
	DefaultStepTimeout = 5 * time.Minute
	DefaultMemMiB      = 1024
	DefaultCPUs        = 2
	// DefaultTimeout bounds a whole boot: the steps' timeouts plus this.
	DefaultTimeout = 2 * time.Minute
)

// Config says how to boot.
type Config struct {
	Kernel string            // vmlinuz
	Dir    string            // work directory: the image, the console and output files
	MemMiB int               // guest memory (DefaultMemMiB)
	CPUs   int               // guest CPUs (DefaultCPUs)
	Env    map[string]string // exported to every step
	Log    func(string)      // live progress (boot, each step's start and end); nil is quiet
}

// Result is what came back from a boot.
type Result struct {
	KernelVersion string        // uname -r in the guest
	Controllers   string        // the root's cgroup.controllers
	Subtree       string        // the root's cgroup.subtree_control
	Steps         []StepResult  // in the order run; a step cut short has Ended false
	Console       string        // the kernel's console (ttyS0)
	Boot          time.Duration // from starting qemu to the guest's first word
	Total         time.Duration // from starting qemu to its exit

	took map[string]time.Duration // each step's duration, seen live
}

func (r *Result) setTook(name string, d time.Duration) {
	if r.took == nil {
		r.took = map[string]time.Duration{}
	}
	r.took[name] = d
}

// StepResult is one step's output and exit status.
type StepResult struct {
	Name   string
	Output string
	Code   int // the script's exit status; 137 when its timeout killed it
	Ended  bool
	Took   time.Duration // as seen from the host
}

// Step returns the named step's result, nil when it never started.
func (r *Result) Step(name string) *StepResult {
	for i := range r.Steps {
		if r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}

// Run writes im with an /init that runs steps, boots it and returns what
// came back. The guest mounts proc, sysfs, devtmpfs, a tmpfs at /tmp and the
// cgroup v2 hierarchy at /sys/fs/cgroup, with +memory in the root's
// subtree_control and loopback up; steps run one after another, each under
// its own timeout, then the guest powers off. An error means the VM itself
// failed (did not boot, timed out); failed steps are in the Result.
func Run(ctx context.Context, im *Image, cfg Config, steps []Step) (*Result, error) {
	if cfg.MemMiB == 0 {
		cfg.MemMiB = DefaultMemMiB
	}
	if cfg.CPUs == 0 {
		cfg.CPUs = DefaultCPUs
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return nil, fmt.Errorf("%w: qemu-system-x86_64 (Debian: qemu-system-x86)", ErrMissing)
	}
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	marker := "@@soaklab-vm:" + hex.EncodeToString(nonce)
	total := DefaultTimeout
	for i, s := range steps {
		if !validName(s.Name) {
			return nil, fmt.Errorf("vm step %q: name must be letters, digits, '-', '_', '.'", s.Name)
		}
		if s.Timeout == 0 {
			steps[i].Timeout = DefaultStepTimeout
		}
		total += steps[i].Timeout
		im.Bytes("/steps/"+s.Name+".sh", []byte(s.Script), 0o755)
	}
	im.Bytes("/init", []byte(initScript(marker, cfg.Env, steps)), 0o755)
	initrd, err := im.Write(cfg.Dir)
	if err != nil {
		return nil, err
	}
	console, out := filepath.Join(cfg.Dir, "console.log"), filepath.Join(cfg.Dir, "out.log")
	for _, f := range []string{console, out} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, total)
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu, "-accel", "tcg", "-nodefaults", "-no-reboot",
		"-m", strconv.Itoa(cfg.MemMiB), "-smp", strconv.Itoa(cfg.CPUs),
		"-kernel", cfg.Kernel, "-initrd", initrd,
		// loglevel=4: errors (the OOM killer's one-line reports) reach the
		// console, its long warnings do not. Transparent huge pages on
		// request only, as on Debian and Ubuntu machines (this kernel's
		// default is always, which grows a Go heap in 2 MiB steps that a
		// 30-second cell reads as a leak).
		"-append", "console=ttyS0 panic=-1 loglevel=4 transparent_hugepage=madvise",
		"-display", "none", "-monitor", "none",
		"-serial", "file:"+console, "-serial", "file:"+out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start qemu: %w", err)
	}
	res := &Result{}
	done := make(chan struct{})
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		follow(out, marker, start, res, cfg.Log, done)
	}()
	werr := cmd.Wait()
	res.Total = time.Since(start)
	close(done)
	<-followed
	con, _ := os.ReadFile(console)
	res.Console = string(con)
	data, _ := os.ReadFile(out)
	parse(string(data), marker, res)
	switch {
	case ctx.Err() != nil:
		return res, fmt.Errorf("vm: no poweroff within %s (%d of %d steps ended); console tail:\n%s", total, ended(res), len(steps), tail(res.Console, 30))
	case werr != nil:
		return res, fmt.Errorf("qemu: %v: %s; console tail:\n%s", werr, strings.TrimSpace(stderr.String()), tail(res.Console, 30))
	case res.KernelVersion == "":
		return res, fmt.Errorf("vm: the guest's /init never spoke; console tail:\n%s", tail(res.Console, 30))
	}
	return res, nil
}

// ErrMissing says something the VM needs is not installed.
var ErrMissing = errors.New("missing")

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func ended(r *Result) int {
	n := 0
	for _, s := range r.Steps {
		if s.Ended {
			n++
		}
	}
	return n
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// initScript is the guest's /init.
func initScript(marker string, env map[string]string, steps []Step) string {
	var b strings.Builder
	b.WriteString(`#!/bin/sh
/bin/busybox mkdir -p /proc /sys /tmp /run /mnt
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin HOME=/root
mkdir -p /root
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
ip link set lo up
exec >/dev/ttyS1 2>&1 </dev/null
`)
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(env[k]))
	}
	fmt.Fprintf(&b, "M=%s\n", marker)
	b.WriteString(`echo "$M kernel $(uname -r)"
echo "$M controllers $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "$M subtree $(cat /sys/fs/cgroup/cgroup.subtree_control)"
`)
	for _, s := range steps {
		fmt.Fprintf(&b, "echo \"$M begin %s\"\ncd / && timeout -s KILL %d sh /steps/%s.sh\nrc=$?\necho\necho \"$M end %s $rc\"\n",
			s.Name, int(s.Timeout.Seconds()), s.Name, s.Name)
	}
	b.WriteString("sync\npoweroff -f\n")
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// parse fills res from the guest's output.
func parse(data, marker string, res *Result) {
	data = strings.ReplaceAll(data, "\r\n", "\n") // the serial line's onlcr
	var cur *StepResult
	var body strings.Builder
	for _, line := range strings.SplitAfter(data, "\n") {
		i := strings.Index(line, marker+" ")
		if i < 0 {
			if cur != nil {
				body.WriteString(line)
			}
			continue
		}
		if cur != nil {
			body.WriteString(line[:i])
		}
		f := strings.Fields(line[i+len(marker)+1:])
		if len(f) == 0 {
			continue
		}
		rest := strings.Join(f[1:], " ")
		switch f[0] {
		case "kernel":
			res.KernelVersion = rest
		case "controllers":
			res.Controllers = rest
		case "subtree":
			res.Subtree = rest
		case "begin":
			body.Reset()
			res.Steps = append(res.Steps, StepResult{Name: rest, Code: -1})
			cur = &res.Steps[len(res.Steps)-1]
		case "end":
			if cur != nil && len(f) == 3 && f[1] == cur.Name {
				cur.Code, _ = strconv.Atoi(f[2])
				cur.Ended = true
				cur.Took = res.took[cur.Name]
				// The newline echoed before the end marker is not the step's.
				cur.Output = strings.TrimSuffix(body.String(), "\n")
				cur = nil
			}
		}
	}
	if cur != nil {
		cur.Output = body.String()
	}
}

// follow reads the guest's output as it grows and reports the markers:
// the boot time, each step's start and end with the time it took.
func follow(path, marker string, start time.Time, res *Result, log func(string), done <-chan struct{}) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var partial string
	began := map[string]time.Time{}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for last := false; ; {
		for {
			s, err := r.ReadString('\n')
			partial += s
			if err != nil {
				break
			}
			line := partial
			partial = ""
			i := strings.Index(line, marker+" ")
			if i < 0 {
				continue
			}
			f := strings.Fields(line[i+len(marker)+1:])
			if len(f) < 2 {
				continue
			}
			now := time.Now()
			switch f[0] {
			case "kernel":
				res.Boot = now.Sub(start)
				log(fmt.Sprintf("vm: booted in %.1f s, kernel %s", res.Boot.Seconds(), f[1]))
			case "controllers":
				log("vm: cgroup.controllers: " + strings.Join(f[1:], " "))
			case "begin":
				began[f[1]] = now
				log("vm: step " + f[1] + " started")
			case "end":
				if len(f) == 3 {
					log(fmt.Sprintf("vm: step %s ended with status %s after %.1f s", f[1], f[2], now.Sub(began[f[1]]).Seconds()))
					res.setTook(f[1], now.Sub(began[f[1]]))
				}
			}
		}
		if last {
			return
		}
		select {
		case <-done:
			last = true // read what came after the last read, then stop
		case <-tick.C:
		}
	}
}
