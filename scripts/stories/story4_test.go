package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/matrix"
)

// Story 4's matrix stays what the story checks: a slow leak and a control
// with the same thresholds, and a fast leak under a limit it cannot survive,
// profiled often enough to leave a profile before the kill.
func TestStory4Matrix(t *testing.T) {
	t.Parallel()
	m, err := matrix.Load(filepath.Join("..", "..", "ci", "stories", "story4.yaml"))
	require.NoError(t, err)
	cells, err := m.Expand()
	require.NoError(t, err)
	byTarget := map[string]matrix.Cell{}
	for _, c := range cells {
		byTarget[c.Target] = c
	}
	require.Len(t, byTarget, 3)
	for _, name := range []string{"leaky", "steady"} {
		tg, ok := story4Target(m, name)
		require.True(t, ok, name)
		assert.Len(t, tg.Thresholds, 2, "%s: HeapAlloc and goroutine thresholds", name)
	}
	oom, ok := story4Target(m, "leaky-oom")
	require.True(t, ok)
	c := byTarget["leaky-oom"]
	assert.NotEmpty(t, oom.Pprof)
	assert.LessOrEqual(t, oom.ProfileInterval(c.Duration), c.Warmup+5*time.Second, "profiles between warm-up and the kill")
	assert.LessOrEqual(t, c.RAM, int64(128<<20))
}

func story4Target(m *matrix.Matrix, name string) (matrix.Target, bool) {
	for _, t := range m.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return matrix.Target{}, false
}
