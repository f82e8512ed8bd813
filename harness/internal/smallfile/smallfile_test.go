package smallfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1234", 1234, true},
		{"-3", -3, true},
		{"999999999999999999", 999999999999999999, true},
		{"9223372036854771712", 0, false}, // 19 digits: left to strconv
		{"", 0, false},
		{"-", 0, false},
		{"12ab", 0, false},
		{" 1", 0, false},
	}
	for _, tt := range tests {
		n, ok := ParseInt([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		assert.Equal(t, tt.want, n, "%q", tt.in)
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "memory.stat")
	require.NoError(t, os.WriteFile(path, []byte("rss 7\n"), 0o644))
	var got []byte
	require.NoError(t, Read(path, func(b []byte) error { got = bytes.Clone(b); return nil }))
	assert.Equal(t, "rss 7\n", string(got))

	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("x"), MaxSize+10), 0o644))
	require.NoError(t, Read(big, func(b []byte) error { got = bytes.Clone(b); return nil }))
	assert.Len(t, got, MaxSize, "the first MaxSize bytes")

	bad := errors.New("bad")
	assert.ErrorIs(t, Read(path, func([]byte) error { return bad }), bad, "parse's error is returned")
	assert.ErrorIs(t, Read(filepath.Join(dir, "missing"), nil), os.ErrNotExist)
}
