package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemProfileAsked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"madvdontneed=1", false},
		{"memprofilerate=524288", true},
		{"gctrace=1,memprofilerate=1", true},
		{"xmemprofilerate=1", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, memProfileAsked(tt.godebug), "%q", tt.godebug)
	}
}

// rateEnv makes the test binary print its memory profile rate and exit.
const rateEnv = "SOAKLAB_PRINT_MEMPROFILERATE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(targetEnv); mode != "" {
		os.Exit(serveTarget(mode))
	}
	if os.Getenv(rateEnv) == "1" {
		os.Stdout.WriteString(strconv.Itoa(runtime.MemProfileRate))
		os.Exit(0)
	}
	os.Exit(buildAndRun(m))
}

// TestMemoryProfilerOffUnlessAsked runs this package's init in fresh
// processes: off by default, at the asked rate with GODEBUG.
func TestMemoryProfilerOffUnlessAsked(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	require.NoError(t, err)
	for godebug, want := range map[string]string{"": "0", "memprofilerate=4096": "4096"} {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), rateEnv+"=1", "GODEBUG="+godebug)
		out, err := cmd.Output()
		require.NoError(t, err)
		assert.Equal(t, want, string(out), "GODEBUG=%q", godebug)
	}
}
