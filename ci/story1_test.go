package ci

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/matrix"
)

// Story 1's matrix makes a works/OOM grid: labelstorm at two memory limits
// or more, capped and uncapped, each cell long enough after its warm-up for
// the oom-risk criterion to project (36 s, judge.MinLeakWindow), and short
// enough in all to stay a story of minutes.
func TestStory1Matrix(t *testing.T) {
	t.Parallel()
	m, err := matrix.Load("stories/story1.yaml")
	require.NoError(t, err)
	cells, err := m.Expand()
	require.NoError(t, err)
	rams, caps := map[int64]bool{}, map[string]bool{}
	var total time.Duration
	for _, c := range cells {
		require.Equal(t, "labelstorm", c.Target)
		rams[c.RAM] = true
		caps[c.Axes["env.MAX_LABELS"]] = true
		require.GreaterOrEqual(t, c.Duration-c.Warmup, 36*time.Second, "%s: too short after its warm-up to project", c.ID)
		total += c.Duration
	}
	require.GreaterOrEqual(t, len(rams), 2, "two memory limits at least")
	require.True(t, caps["0"] && len(caps) >= 2, "capped and uncapped: %v", caps)
	require.LessOrEqual(t, total, 10*time.Minute, "a story of minutes")
}
