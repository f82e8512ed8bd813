package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetAside(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	read := func(path string) string {
		b, err := os.ReadFile(filepath.Join(dir, path))
		require.NoError(t, err)
		return string(b)
	}

	// an empty or missing directory: nothing to keep
	got, err := setAside(dir)
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = setAside(filepath.Join(dir, "nope"))
	require.NoError(t, err)
	assert.Empty(t, got)

	// the first earlier attempt goes to attempt-1, the next to attempt-2
	write("samples.jsonl", "first")
	write("target.log", "log one")
	got, err = setAside(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "attempt-1"), got)
	write("samples.jsonl", "second")
	got, err = setAside(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "attempt-2"), got)

	assert.Equal(t, "first", read("attempt-1/samples.jsonl"))
	assert.Equal(t, "log one", read("attempt-1/target.log"))
	assert.Equal(t, "second", read("attempt-2/samples.jsonl"))
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, left, 2, "only the attempt directories remain")
}
