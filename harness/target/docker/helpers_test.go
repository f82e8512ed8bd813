package docker

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/target"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// TestMain builds nothing up front (a machine without an engine skips the
// package fast); it removes the test binary's directory at the end, and
// doubles as the "no engine" probe when re-executed by TestNoEngine.
func TestMain(m *testing.M) {
	if os.Getenv("SOAKLAB_DOCKER_TEST_MODE") == "hog" { // touch 1 MiB at a time until killed
		var keep [][]byte
		for i := 0; i < 4096; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = 1
			}
			keep = append(keep, b)
			time.Sleep(2 * time.Millisecond)
		}
		os.Exit(3)
	}
	if os.Getenv("SOAKLAB_DOCKER_TEST_MODE") == "noengine" {
		start := time.Now()
		_, err := New(context.Background(), PingTimeout(2*time.Second))
		fmt.Printf("err=%v\nelapsed=%s\n", err, time.Since(start).Round(time.Millisecond))
		_, why := Auto(context.Background(), fakeBackend{})
		fmt.Printf("auto=%s\n", why)
		os.Exit(0)
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// testBinary builds testdata/soaktarget once per package run, static.
func testBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "soaklab-docker-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "soaktarget")
		cmd := exec.Command("go", "build", "-trimpath", "-o", binPath, "./testdata/soaktarget")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("build test target: %v\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

// newBackend returns a real docker backend. Without an engine the test is
// skipped, unless SOAKLAB_REQUIRE_DOCKER=1 (CI), which makes it a failure.
func newBackend(t *testing.T, opts ...Option) *Backend {
	t.Helper()
	b, err := New(context.Background(), append([]Option{StopGrace(time.Second)}, opts...)...)
	if err != nil {
		if os.Getenv("SOAKLAB_REQUIRE_DOCKER") == "1" {
			t.Fatalf("SOAKLAB_REQUIRE_DOCKER=1 but: %v", err)
		}
		t.Skipf("no docker engine: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// spec is a Spec for the test target with a run id unique to the test.
func spec(t *testing.T, limit int64, env ...string) target.Spec {
	return target.Spec{RunID: runID(t), CellID: t.Name(), Name: "soaktarget",
		Path: testBinary(t), Env: env, MemoryLimit: limit}
}

func runID(t *testing.T) string {
	return fmt.Sprintf("test-%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), os.Getpid())
}

// freePort is a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitDone(t *testing.T, inst target.Instance, d time.Duration) {
	t.Helper()
	select {
	case <-inst.Done():
	case <-time.After(d):
		t.Fatalf("target still running after %s", d)
	}
}

// syncBuffer is a strings.Builder safe for the log goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// containerGone asserts the engine no longer knows the container.
func containerGone(t *testing.T, b *Backend, id string) {
	t.Helper()
	_, err := b.cli.ContainerInspect(context.Background(), id, clientInspectOpts)
	require.Error(t, err, "container %s still exists", short(id))
	require.True(t, isNotFound(err), "inspect error: %v", err)
}
