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

func TestMemProfileRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env     string
		want    int
		wantErr bool
	}{
		{"", 0, false},                // unset: the profiler is off
		{"524288", 524288, false},     // Go's usual rate
		{"1", 1, false},               // every allocation
		{"0", 0, false},               // off, said explicitly
		{"512KiB", 0, true},           // bytes only, no units
		{"-1", 0, true},               // a negative rate means nothing
		{"memprofilerate=1", 0, true}, // a GODEBUG pair is not a rate
	}
	for _, tt := range tests {
		got, err := memProfileRate(tt.env)
		if tt.wantErr {
			require.Error(t, err, "%q", tt.env)
			assert.Contains(t, err.Error(), memProfileRateEnv, "the message names the variable")
			continue
		}
		require.NoError(t, err, "%q", tt.env)
		assert.Equal(t, tt.want, got, "%q", tt.env)
	}
}

// helperEnv makes the test binary run main with its arguments.
const helperEnv = "SOAKLAB_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if mode := os.Getenv(targetEnv); mode != "" {
		os.Exit(serveTarget(mode))
	}
	if os.Getenv(helperEnv) == "1" {
		if len(os.Args) > 1 && os.Args[1] == "print-memprofilerate" {
			// main's setting, then print it instead of running a command.
			if setMemProfileRate() != nil {
				os.Exit(2)
			}
			os.Stdout.WriteString(strconv.Itoa(runtime.MemProfileRate))
			os.Exit(0)
		}
		os.Args = append([]string{"soaklab"}, os.Args[1:]...)
		main()
	}
	os.Exit(buildAndRun(m))
}

// TestMemoryProfilerOffUnlessAsked checks the rate in fresh processes: off
// by default, at the asked rate with the variable set.
func TestMemoryProfilerOffUnlessAsked(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	require.NoError(t, err)
	for env, want := range map[string]string{"": "0", "4096": "4096"} {
		cmd := exec.Command(exe, "print-memprofilerate")
		cmd.Env = append(os.Environ(), helperEnv+"=1", memProfileRateEnv+"="+env)
		out, err := cmd.Output()
		require.NoError(t, err)
		assert.Equal(t, want, string(out), "%s=%q", memProfileRateEnv, env)
	}
}

// TestBadMemProfileRate runs main with a bad rate: one line naming the
// variable and exit 2, before any command runs.
func TestBadMemProfileRate(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "help")
	cmd.Env = append(os.Environ(), helperEnv+"=1", memProfileRateEnv+"=lots")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Equal(t, "soaklab: "+memProfileRateEnv+`="lots": want a sampling rate in bytes, a whole number ≥ 0 (524288 is Go's usual rate)`+"\n", string(out))
}
