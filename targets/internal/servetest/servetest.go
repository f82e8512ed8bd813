// Package servetest builds a sample target's real binary and runs it on a
// free 127.0.0.1 port for tests: start, wait for /healthz, read /metrics or
// /proc, stop with SIGTERM, or check that a bad knob refuses to start. It
// also holds what the targets' unit tests share: knob tables and reading
// an in-process counter.
package servetest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// Build compiles the main package in dir (usually ".") into a temporary
// directory and returns the binary's path.
func Build(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "target")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// FreePort returns a port that was free on 127.0.0.1 a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Proc is a running target.
type Proc struct {
	Cmd  *exec.Cmd
	URL  string // http://127.0.0.1:port
	done chan struct{}
	mu   sync.Mutex
	errb bytes.Buffer
}

// Start runs bin with PORT set to a free port plus env (KEY=VALUE), waits
// until /healthz answers 200 and registers a cleanup that kills it if the
// test did not stop it.
func Start(t testing.TB, bin string, env ...string) *Proc {
	t.Helper()
	port := FreePort(t)
	p := &Proc{URL: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	p.Cmd = exec.Command(bin)
	p.Cmd.Env = append([]string{"PORT=" + strconv.Itoa(port), "PATH=" + os.Getenv("PATH")}, env...)
	p.Cmd.Stdout = io.Discard
	p.Cmd.Stderr = (*lockedWriter)(p)
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.Cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.Cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && string(body) == "ok" {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was healthy: %s\n%s", bin, p.Cmd.ProcessState, p.Stderr())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy after 10s: %v\n%s", bin, err, p.Stderr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type lockedWriter Proc

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.errb.Write(b)
}

// Stderr is what the target wrote to stderr so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errb.String()
}

// Get fetches path and returns the body; it fails the test on a non-200.
func (p *Proc) Get(t testing.TB, path string) string {
	t.Helper()
	resp, err := http.Get(p.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s: %s", path, resp.Status, body)
	}
	return string(body)
}

// Metric returns the value of the first sample whose line starts with
// name (e.g. `go_goroutines` or `foo_total{result="ok"}`), or fails.
func (p *Proc) Metric(t testing.TB, name string) float64 {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(p.Get(t, "/metrics")))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		return v
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

// RSS reads VmRSS (what) or VmHWM of the process from /proc, in bytes.
func (p *Proc) RSS(t testing.TB, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("%s not in /proc/%d/status", field, p.Cmd.Process.Pid)
	return 0
}

// Stop sends SIGTERM and waits (up to 10 s) for the exit; it fails the test
// unless the target exits with status 0.
func (p *Proc) Stop(t testing.TB) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit 10s after SIGTERM\n%s", p.Stderr())
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit status %d after SIGTERM, want 0\n%s", code, p.Stderr())
	}
}

// Refuses runs bin with exactly env (no PATH or PORT unless given) and
// checks that it exits with status 2 and names each of want on stderr, as
// a target does for a bad knob before it listens. It is bounded to 10 s.
func Refuses(t testing.TB, bin string, env []string, want ...string) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(10*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	_ = cmd.Wait()
	stderr := errb.String()
	if code := cmd.ProcessState.ExitCode(); code != serve.ExitUsage {
		t.Errorf("%s with %q: exit status %d, want %d\n%s", bin, env, code, serve.ExitUsage, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%s with %q: stderr does not name %q:\n%s", bin, env, w, stderr)
		}
	}
}
