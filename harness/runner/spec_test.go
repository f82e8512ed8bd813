package runner

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// TestApplied: the runner reads the settings matrix applies and keeps no
// defaults of its own, so a target without them is refused by name.
func TestApplied(t *testing.T) {
	t.Parallel()
	ready := matrix.Ready{Path: "/healthz", Timeout: time.Second}
	tests := []struct {
		name   string
		target matrix.Target
		want   string // "" = accepted
	}{
		// a server target as matrix.Parse returns it
		{"server", matrix.Target{Name: "s", Kind: matrix.KindServer, PortEnv: "PORT", Ready: ready}, ""},
		// a client target also needs the sink's variable
		{"client", matrix.Target{Name: "c", Kind: matrix.KindClient, PortEnv: "PORT", SinkEnv: "SINK_URL", Ready: ready}, ""},
		// a Go literal without matrix's defaults: every missing one named
		{"literal", matrix.Target{Name: "x", Kind: matrix.KindClient}, "target x has no port_env, sink_env, ready.path, ready.timeout"},
		// nor a kind
		{"no kind", matrix.Target{Name: "z", PortEnv: "PORT", Ready: ready}, "target z has no kind"},
		// only the ready timeout missing
		{"no timeout", matrix.Target{Name: "y", Kind: matrix.KindServer, PortEnv: "PORT", Ready: matrix.Ready{Path: "/"}}, "target y has no ready.timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := applied(tt.target)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A target without matrix's defaults is a cell error naming what is
// missing, not a target started with an empty variable name.
func TestTargetWithoutDefaultsIsCellError(t *testing.T) {
	dir := t.TempDir()
	r := newRunner(t, dir, matrix.Target{Name: "serve"})
	r.Matrix.Targets[0].PortEnv = ""
	run := &results.Run{Schema: results.SchemaVersion, ID: "t"}
	require.NoError(t, r.Run(context.Background(), run, []matrix.Cell{cell("serve", "serve", 64<<20, time.Second)}))
	assert.Equal(t, results.Errored, run.Cells[0].Outcome)
	assert.Contains(t, run.Cells[0].Detail, "target serve has no port_env")
}
