package pipeline

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/matrix"
)

func TestEstimateCells(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cells []matrix.Cell
		want  string
	}{
		// Nothing to run costs nothing.
		{"none", nil, "0 cells, about 0s of wall time (0s of cells + 0s to start and stop them)"},
		// One 10-minute cell: its duration plus one start and stop.
		{"one", []matrix.Cell{{Duration: 10 * time.Minute}}, "1 cell, about 10m3s of wall time (10m0s of cells + 3s to start and stop them)"},
		// Durations add up; the overhead is per cell.
		{"three", []matrix.Cell{{Duration: time.Hour}, {Duration: 30 * time.Second}, {Duration: 24 * time.Hour}},
			"3 cells, about 25h0m39s of wall time (25h0m30s of cells + 9s to start and stop them)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, EstimateCells(c.cells).String())
		})
	}
}
