package matrix

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWorkloadBursts reads burst and pause into the matrix's and a target's
// own workload; leaving both out keeps a constant rate.
func TestWorkloadBursts(t *testing.T) {
	t.Parallel()
	m, err := Parse("m.yaml", []byte(`
targets:
  a:
    command: [sleep, "60"]
    workload: {burst: 3s, pause: 12s}
  b:
    command: [sleep, "60"]
workload:
  burst: 1s
  pause: 2s
axes:
  duration: [30s]
`))
	require.NoError(t, err)
	require.Equal(t, 1*time.Second, m.Workload.Burst)
	require.Equal(t, 2*time.Second, m.Workload.Pause)
	for _, tg := range m.Targets {
		if tg.Name == "a" {
			require.NotNil(t, tg.Workload)
			require.Equal(t, 3*time.Second, tg.Workload.Burst)
			require.Equal(t, 12*time.Second, tg.Workload.Pause)
		}
	}
	m, err = Parse("m.yaml", []byte("targets:\n  b: {command: [sleep, \"60\"]}\naxes:\n  duration: [30s]\n"))
	require.NoError(t, err)
	require.Zero(t, m.Workload.Burst)
	require.Zero(t, m.Workload.Pause)
}
