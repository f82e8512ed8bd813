package matrix

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `ready: none` is for targets that listen on no port.
func TestReadyNone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target string
		want         Ready
		err          string
	}{
		// a client that only sends: ready once started
		{"client", `{kind: client, command: [sh], ready: none}`, Ready{None: true, Timeout: DefaultReady.Timeout}, ""},
		// a workload that drives itself: the same
		{"workload", `{kind: workload, command: [sh], ready: none}`, Ready{None: true, Timeout: DefaultReady.Timeout}, ""},
		// soaklab's driver needs a server that answers
		{"server", `{command: [sh], ready: none}`, Ready{}, "m.yaml:2:29: targets.t.ready: a server target needs a readiness path"},
		// a path still reads as before
		{"path", `{kind: client, command: [sh], ready: /up}`, Ready{Path: "/up", Timeout: DefaultReady.Timeout}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse("m.yaml", []byte("targets:\n  t: "+tt.target+"\n"))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.Targets[0].Ready)
		})
	}
}
