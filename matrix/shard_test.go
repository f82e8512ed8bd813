package matrix

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// manyCells builds n distinct cells with ids only, like a big matrix.
func manyCells(n int) []Cell {
	cells := make([]Cell, n)
	for i := range cells {
		axes := map[string]string{AxisRPS: fmt.Sprint(i), AxisRAM: "64MiB"}
		cells[i] = Cell{Target: "t", Axes: axes, ID: CellID("t", axes, 0)}
	}
	return cells
}

// TestShardPartition checks, for many cell counts and shard counts, that
// the shards are disjoint, cover every cell, keep order and are the same
// when computed again.
func TestShardPartition(t *testing.T) {
	t.Parallel()
	for _, size := range []int{0, 1, 7, 64, 1000} {
		cells := manyCells(size)
		for n := 1; n <= 9; n++ {
			seen := map[string]int{}
			for i := 1; i <= n; i++ {
				part := Shard(cells, i, n)
				require.Equal(t, part, Shard(cells, i, n), "deterministic")
				last := -1
				for _, c := range part {
					seen[c.ID]++
					idx := indexOf(cells, c.ID)
					require.Greater(t, idx, last, "original order kept")
					last = idx
				}
			}
			require.Len(t, seen, size, "union is every cell (size %d, n %d)", size, n)
			for id, k := range seen {
				require.Equal(t, 1, k, "cell %s in exactly one shard", id)
			}
		}
	}
}

func indexOf(cells []Cell, id string) int {
	for i, c := range cells {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// TestShardStableUnderGrowth: adding cells never moves an existing cell to
// another shard, because a cell's shard depends on its id alone.
func TestShardStableUnderGrowth(t *testing.T) {
	t.Parallel()
	small, big := manyCells(100), manyCells(300)
	for i := 1; i <= 8; i++ {
		before := Shard(small, i, 8)
		after := map[string]bool{}
		for _, c := range Shard(big, i, 8) {
			after[c.ID] = true
		}
		for _, c := range before {
			require.True(t, after[c.ID], "%s stayed in shard %d", c.ID, i)
		}
	}
}

// TestShardBalance: over 1000 cells no shard of 8 is far from its share.
func TestShardBalance(t *testing.T) {
	t.Parallel()
	cells := manyCells(1000)
	for i := 1; i <= 8; i++ {
		n := len(Shard(cells, i, 8))
		require.InDelta(t, 125, n, 40, "shard %d has %d cells", i, n)
	}
}

// TestShardOfFixed pins the hash so every machine and version agrees: a
// change here would reshuffle the shards of running CI campaigns.
// sha256("a") starts ca978112ca1bbdca; 0x...ca mod 8 = 2, so shard 3.
func TestShardOfFixed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		n    int
		want int
	}{
		{"a", 8, 3}, // worked by hand above
		{"b", 3, 2},
		{"b", 1000, 947},
		{"steady/duration=30s,percentiles=hdr,ram=64MiB,rps=200,tasks=16", 8, 1},
		{"anything", 1, 1}, // one shard holds everything
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ShardOf(tt.id, tt.n), tt.id)
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		i, n int
		ok   bool
	}{
		{"2/8", 2, 8, true},   // usual
		{"1/1", 1, 1, true},   // one shard
		{" 8/8 ", 8, 8, true}, // spaces, last shard
		{"0/8", 0, 0, false},  // shards count from 1
		{"9/8", 0, 0, false},  // beyond n
		{"2", 0, 0, false},    // no n
		{"a/b", 0, 0, false},  // not numbers
		{"1/0", 0, 0, false},  // zero shards
	}
	for _, tt := range tests {
		i, n, err := ParseShard(tt.in)
		if !tt.ok {
			require.ErrorIs(t, err, ErrShard, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, [2]int{tt.i, tt.n}, [2]int{i, n})
	}
	require.Nil(t, Shard(manyCells(5), 3, 2), "out of range gives nothing")
}
