package matrix

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A target whose own load is not soaklab's is not multiplied by the driver's
// axes it does not read, and its ids leave them out.
func TestUnusedAxes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		target string // the target's YAML under targets.t
		legacy bool   // KeepUnusedAxes
		unused []string
		ids    []string
		warn   string // a warning containing this, or "" for none
	}{
		// soaklab's driver reads both for a server target
		{"server", `{command: [sh]}`, false, nil,
			[]string{"t/duration=1m,percentiles=hdr,ram=64MiB,rps=100,tasks=16", "t/duration=1m,percentiles=hdr,ram=64MiB,rps=1000,tasks=16"}, ""},
		// a client with its own rate: one cell, not two identical ones
		{"client, own rate", `{kind: client, command: [sh]}`, false, []string{"tasks", "rps"},
			[]string{"t/duration=1m,percentiles=hdr,ram=64MiB"}, "axes.rps: no target reads it"},
		// a client told its rate in its env keeps rps
		{"client reads rps", `{kind: client, command: [sh], env: {RATE: "{{.rps}}"}}`, false, []string{"tasks"},
			[]string{"t/duration=1m,percentiles=hdr,ram=64MiB,rps=100", "t/duration=1m,percentiles=hdr,ram=64MiB,rps=1000"}, ""},
		// rps read through a template function and tasks through the command
		{"client reads both", `{kind: client, command: [sh, "-n={{.tasks}}"], env: {RATE: "{{printf \"%s\" .rps}}"}}`, false, nil,
			[]string{"t/duration=1m,percentiles=hdr,ram=64MiB,rps=100,tasks=16", "t/duration=1m,percentiles=hdr,ram=64MiB,rps=1000,tasks=16"}, ""},
		// a workload target drives itself
		{"workload", `{kind: workload, command: [sh], metrics: /m, throughput: ops}`, false, []string{"tasks", "rps"},
			[]string{"t/duration=1m,percentiles=hdr,ram=64MiB"}, "axes.rps: no target reads it"},
		// resuming a run started before: expanded as it was then (the
		// warning comes from parsing, which knows nothing of that)
		{"legacy", `{kind: client, command: [sh]}`, true, nil,
			[]string{"t/duration=1m,percentiles=hdr,ram=64MiB,rps=100,tasks=16", "t/duration=1m,percentiles=hdr,ram=64MiB,rps=1000,tasks=16"}, "axes.rps: no target reads it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse("m.yaml", []byte("targets:\n  t: "+tt.target+"\naxes: {rps: [100, 1000], duration: [1m], ram: [64MiB]}\n"))
			require.NoError(t, err)
			m.KeepUnusedAxes = tt.legacy
			assert.Equal(t, tt.unused, m.UnusedAxes(&m.Targets[0]))
			cells, err := m.Expand()
			require.NoError(t, err)
			var ids []string
			for _, c := range cells {
				ids = append(ids, c.ID)
				if _, ok := c.Axes[AxisRPS]; !ok {
					assert.Zero(t, c.RPS, c.ID)
				}
			}
			assert.Equal(t, tt.ids, ids)
			warns := m.Warnings.Error()
			if len(m.Warnings) == 0 {
				warns = ""
			}
			if tt.warn == "" {
				assert.NotContains(t, warns, "reads", "no warning about unread axes")
			} else {
				assert.True(t, strings.Contains(warns, tt.warn), "warnings %q lack %q", warns, tt.warn)
			}
		})
	}
}
