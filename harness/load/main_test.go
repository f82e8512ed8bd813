package load

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
)

// targetEnv makes the test binary serve as a trivial loopback target in a
// process of its own, so benchmarks can tell the driver's CPU from the
// target's.
const targetEnv = "SOAKLAB_LOAD_BENCH_TARGET"

func TestMain(m *testing.M) {
	if os.Getenv(targetEnv) == "1" {
		serveTrivial()
		return
	}
	os.Exit(m.Run())
}

// serveTrivial answers "ok" to everything on a loopback port it prints,
// until its stdin closes.
func serveTrivial() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadByte() // parent gone or done
		os.Exit(0)
	}()
	ok := []byte("ok")
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "2")
		_, _ = w.Write(ok)
	}))
}

// startTarget starts the trivial target process and returns its base URL.
func startTarget(tb testing.TB) string {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), targetEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatal(err)
	}
	return "http://" + addr[:len(addr)-1]
}
