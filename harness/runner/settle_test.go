package runner

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func osThreads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// After prewarmThreads(n) the process has at least n OS threads, and they
// stay: the runtime keeps idle threads, so doing it again adds none.
func TestPrewarmThreads(t *testing.T) {
	const n = 24
	prewarmThreads(n)
	got := osThreads(t)
	if got < n {
		t.Fatalf("%d OS threads after prewarming %d", got, n)
	}
	prewarmThreads(n)
	if again := osThreads(t); again > got+2 {
		t.Errorf("a second prewarm grew the threads %d → %d: the first ones were not kept", got, again)
	}
}
