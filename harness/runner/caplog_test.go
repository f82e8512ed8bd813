package runner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCapWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		writes  []string
		limit   int64
		kept    string
		dropped int64
	}{
		// under the cap everything passes
		{"under", []string{"ab", "cd"}, 10, "abcd", 0},
		// a write crossing the cap is cut there, the rest dropped
		{"crossing", []string{"abc", "defgh"}, 5, "abcde", 3},
		// after the cap every write is dropped whole but reported written
		{"after", []string{"abcde", "fg", "hij"}, 5, "abcde", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w := newCapWriter(&buf, tt.limit)
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				assert.NoError(t, err)
				assert.Equal(t, len(s), n)
			}
			assert.True(t, strings.HasPrefix(buf.String(), tt.kept), buf.String())
			assert.Equal(t, tt.dropped, w.Dropped())
			if tt.dropped > 0 {
				assert.Contains(t, buf.String(), "log capped")
			}
		})
	}
}
