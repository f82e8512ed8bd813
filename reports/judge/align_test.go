package judge

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/harness/results"
)

// Runs from before soaklab left unread driver axes out of client and
// workload cells still match tonight's cells, cell for cell.
func TestAlignedDriverAxes(t *testing.T) {
	t.Parallel()
	cd := func(target, kind string, axes map[string]string) CellData {
		return CellData{Cell: &results.Cell{Target: target, Kind: kind, Axes: axes}}
	}
	keys := func(ds []CellData) []string {
		var out []string
		for _, d := range ds {
			out = append(out, groupKey(d.Cell, ""))
		}
		return out
	}
	tests := []struct {
		name             string
		old, new         []CellData
		wantOld, wantNew []string
	}{
		// an older client cell with the rps and tasks it never read
		{"older client", []CellData{cd("c", "client", map[string]string{"ram": "64MiB", "rps": "100", "tasks": "16"})},
			[]CellData{cd("c", "client", map[string]string{"ram": "64MiB"})},
			[]string{"c/ram=64MiB"}, []string{"c/ram=64MiB"}},
		// a client that reads rps keeps it on both sides; tasks goes
		{"client reading rps", []CellData{cd("c", "client", map[string]string{"rps": "100", "tasks": "16"})},
			[]CellData{cd("c", "client", map[string]string{"rps": "100"})},
			[]string{"c/rps=100"}, []string{"c/rps=100"}},
		// the other way round: tonight resumed an older run
		{"older on the new side", []CellData{cd("w", "workload", map[string]string{"ram": "64MiB"})},
			[]CellData{cd("w", "workload", map[string]string{"ram": "64MiB", "rps": "100", "tasks": "16"})},
			[]string{"w/ram=64MiB"}, []string{"w/ram=64MiB"}},
		// server cells are never touched, even when the sides differ
		{"server", []CellData{cd("s", "server", map[string]string{"rps": "100"})},
			[]CellData{cd("s", "server", map[string]string{"rps": "200", "tasks": "4"})},
			[]string{"s/rps=100"}, []string{"s/rps=200,tasks=4"}},
		// a target on one side only is left as it is
		{"one side", []CellData{cd("c", "client", map[string]string{"rps": "100"})}, nil,
			[]string{"c/rps=100"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := groupKey(tt.old[0].Cell, "")
			o, n := aligned(tt.old, tt.new)
			assert.Equal(t, tt.wantOld, keys(o))
			assert.Equal(t, tt.wantNew, keys(n))
			assert.Equal(t, before, groupKey(tt.old[0].Cell, ""), "the cells given are not changed")
		})
	}
}
