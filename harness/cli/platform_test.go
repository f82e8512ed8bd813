package cli

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRunAndCleanNeedLinux runs commands as on other systems: run and clean
// refuse in one line with exit 2; the file commands go on.
func TestRunAndCleanNeedLinux(t *testing.T) {
	t.Parallel()
	tests := []struct {
		goos   string
		args   []string
		code   int
		stderr string
	}{
		// run starts targets in cgroups: refused before its flags are read
		{"darwin", []string{"run", "-m", "testdata/e2e.yaml"}, ExitUsage,
			"soaklab run: needs Linux (cgroups and /proc); this system is darwin\n"},
		// clean removes cgroups: refused too
		{"windows", []string{"clean"}, ExitUsage,
			"soaklab clean: needs Linux (cgroups and /proc); this system is windows\n"},
		// a file command runs on any system
		{"windows", []string{"expand", "testdata/e2e.yaml"}, ExitOK, "2 cells, about 1m12s of wall time (1m6s of cells + 6s to start and stop them)\n"},
		// validate too
		{"darwin", []string{"validate", "testdata/e2e.yaml"}, ExitOK, ""},
	}
	for _, tt := range tests {
		env, _, errw := testEnv()
		env.GOOS = tt.goos
		code := Main(context.Background(), tt.args, env)
		assert.Equal(t, tt.code, code, "%s %v", tt.goos, tt.args)
		assert.Equal(t, tt.stderr, errw.String(), "%s %v", tt.goos, tt.args)
	}
}
