package ci

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/matrix"
)

// TestStory2Matrix: story 2's matrix loads, runs cstairs (a C build) four
// times under each allocator, in bursts with pauses, and pairs every glibc
// cell with a jemalloc one for the A/B.
func TestStory2Matrix(t *testing.T) {
	t.Parallel()
	m, err := matrix.Load("stories/story2.yaml")
	require.NoError(t, err)
	cells, err := m.Expand()
	require.NoError(t, err)
	require.Len(t, cells, 8)
	by := map[string]int{}
	for _, c := range cells {
		require.Equal(t, "cstairs", c.Target)
		by[c.Axes["allocator"]]++
		want := ""
		if c.Axes["allocator"] == "jemalloc" {
			want = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
		}
		require.Equal(t, want, c.Env["LD_PRELOAD"], c.ID)
	}
	require.Equal(t, map[string]int{"glibc": 4, "jemalloc": 4}, by)
	require.Positive(t, m.Workload.Burst)
	require.Positive(t, m.Workload.Pause)
	require.Len(t, m.Compare, 1)
	require.Equal(t, "allocator", m.Compare[0].Axis)
	require.Equal(t, "glibc", m.Compare[0].Baseline)
	require.Equal(t, "jemalloc", m.Compare[0].Candidate)
}
