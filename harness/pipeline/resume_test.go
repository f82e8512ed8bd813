package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// A client target that does not read rps or tasks: its cells have neither
// since soaklab stopped crossing it with them; a run started before stored
// one cell per rps value, with both in the ids.
const clientMatrix = "name: r\ntargets:\n  c: {kind: client, command: [sh]}\naxes: {rps: [100, 1000], duration: [1m], ram: [64MiB]}\n"

// Resuming a run keeps the cell ids it stored, whichever soaklab started it.
func TestResumeKeepsStoredIDs(t *testing.T) {
	t.Parallel()
	const (
		old100  = "c/duration=1m,percentiles=hdr,ram=64MiB,rps=100,tasks=16"
		old1000 = "c/duration=1m,percentiles=hdr,ram=64MiB,rps=1000,tasks=16"
		now     = "c/duration=1m,percentiles=hdr,ram=64MiB"
	)
	tests := []struct {
		name   string
		stored []string // finished cells in run.json
		want   []string // the cells the resumed run plans
	}{
		// started before: both old cells planned (the finished one is then
		// skipped by the runner), no new id appears
		{"older run", []string{old100}, []string{old100, old1000}},
		// started now: the one cell
		{"current run", []string{now}, []string{now}},
		// nothing finished yet: the current expansion
		{"nothing stored", nil, []string{now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "run")
			writeRun(t, dir, clientMatrix, tt.stored...)
			p, err := NewPlan(Options{Resume: dir}, Env{})
			require.NoError(t, err)
			defer p.Close()
			var ids []string
			for _, c := range p.Cells {
				ids = append(ids, c.ID)
			}
			assert.Equal(t, tt.want, ids)
			run, err := results.ReadRun(dir)
			require.NoError(t, err)
			assert.Len(t, run.Cells, len(tt.stored), "stored cells read back as they were")
		})
	}
}
