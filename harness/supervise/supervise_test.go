package supervise

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const helperEnv = "SUPERVISE_TEST_CHILD"

// The test binary doubles as the supervised child: helperEnv picks what it
// does.
func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "ok":
		fmt.Fprintln(os.Stderr, "soaklab: a note")
		Announce(os.Getenv, "/runs/r1")
		os.Exit(1)
	case "goroutine-panic":
		Announce(os.Getenv, "/runs/r2")
		fmt.Fprintln(os.Stderr, "soaklab: before the crash")
		go func() { panic("boom \x1b]0;title\x07") }()
		time.Sleep(time.Minute)
	case "oom":
		// A runtime fatal error, as running out of memory gives.
		var s []byte
		for {
			s = append(s, make([]byte, 1<<40)...)
		}
	case "sleep":
		Announce(os.Getenv, "/runs/r3")
		time.Sleep(time.Minute)
	}
	os.Exit(99)
}

type cleanup struct {
	dir string
	pid int
}

func run(t *testing.T, mode string, signals chan os.Signal) (int, string, *cleanup) {
	t.Helper()
	var stderr bytes.Buffer
	var got *cleanup
	code := Run(Config{Exe: os.Args[0], Args: []string{"-test.run=^$"}, Env: append(os.Environ(), helperEnv+"="+mode),
		Stdout: os.Stdout, Stderr: &stderr, Signals: signals, CrashDir: t.TempDir(),
		Cleanup: func(dir string, pid int) string { got = &cleanup{dir, pid}; return "hint: resume " + dir }})
	return code, stderr.String(), got
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode     string
		code     int
		want     []string // lines on stderr, in order
		absent   []string
		cleanDir string // "" = no cleanup
	}{
		// an ordinary exit passes through with its status and stderr
		{"ok", 1, []string{"soaklab: a note"}, nil, ""},
		// a panic in a goroutine: one line, status 3, the run cleaned up
		{"goroutine-panic", 3, []string{"soaklab: before the crash", "soaklab: soaklab itself failed: panic: boom ?]0;title? (the crash report is in ", "hint: resume /runs/r2"},
			[]string{"goroutine ", "\x1b", ".go:"}, "/runs/r2"},
		// a runtime fatal error: the same
		{"oom", 3, []string{"soaklab: soaklab itself failed: "}, []string{"goroutine ", "runtime stack"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			code, stderr, got := run(t, tt.mode, nil)
			assert.Equal(t, tt.code, code, stderr)
			at := 0
			for _, w := range tt.want {
				i := strings.Index(stderr[at:], w)
				require.GreaterOrEqual(t, i, 0, "%q in\n%s", w, stderr)
				at += i
			}
			for _, a := range tt.absent {
				assert.NotContains(t, stderr, a)
			}
			if tt.code == 3 {
				require.NotNil(t, got, "cleanup called")
				assert.Equal(t, tt.cleanDir, got.dir)
				assert.NotZero(t, got.pid)
				i := strings.Index(stderr, "the crash report is in ")
				path := strings.TrimSuffix(strings.Fields(stderr[i+len("the crash report is in "):])[0], ")")
				report, err := os.ReadFile(path)
				require.NoError(t, err, stderr)
				assert.Contains(t, string(report), "goroutine", "the stack is kept in the file")
				assert.Equal(t, filepath.Dir(path), filepath.Dir(path))
			} else {
				assert.Nil(t, got, "no cleanup after an ordinary exit")
			}
		})
	}
}

// A signal to the supervisor reaches the child once; a child killed by a
// signal is a crash.
func TestRunForwardsSignals(t *testing.T) {
	t.Parallel()
	sig := make(chan os.Signal, 1)
	sig <- syscall.SIGKILL
	code, stderr, got := run(t, "sleep", sig)
	assert.Equal(t, 3, code)
	assert.Contains(t, stderr, "soaklab: soaklab itself failed: killed by signal killed")
	require.NotNil(t, got, "cleanup called (the run directory may not be named yet)")
}
