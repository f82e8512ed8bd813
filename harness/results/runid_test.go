package results

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckRunID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id string
		ok bool
	}{
		{"20261129-193000", true}, // the default: a timestamp
		{"nightly_shard-1.v2", true},
		{"a", true},
		{"", false},                              // empty
		{"../x", false},                          // outside --results
		{"a..b", false},                          // no ".." anywhere
		{"a/b", false},                           // a path, not a name
		{"/abs", false},                          // absolute
		{".hidden", false},                       // starts with a dot
		{"-flag", false},                         // looks like a flag
		{"a b", false},                           // space
		{"a\nb", false},                          // newline
		{"a\x1b[2Jb", false},                     // escape sequence
		{"naïve", false},                         // non-ASCII
		{strings.Repeat("a", MaxRunIDLen), true}, // the longest
		{strings.Repeat("a", MaxRunIDLen+1), false},
	}
	for _, tt := range tests {
		err := CheckRunID(tt.id)
		if tt.ok {
			require.NoError(t, err, "%q", tt.id)
		} else {
			require.ErrorIs(t, err, ErrRunID, "%q", tt.id)
		}
	}
}
