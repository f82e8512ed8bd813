package results

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text, ünïcode ✓", "plain text, ünïcode ✓"}, // kept as is
		{"tab\tkept", "tab\tkept"},
		// a terminal title and a fake verdict printed over soaklab's line
		{"\x1b]0;pwned\x07\x1b[2K\rFAKE: all cells GO", `\x1b]0;pwned\a\x1b[2K\rFAKE: all cells GO`},
		{"two\nlines", `two\nlines`},                               // one line
		{"nul\x00del\x7f", `nul\x00del\x7f`},                       // C0 and DEL
		{"c1\u009bcsi", `c1\u009bcsi`},                             // C1 CSI
		{"bidi \u202eevil", `bidi \u202eevil`},                     // right-to-left override
		{"bad utf8 \xff\xfe", `bad utf8 \xff\xfe`},                 // invalid bytes
		{"<script>alert(1)</script>", "<script>alert(1)</script>"}, // markup is the report's business
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, Printable(tt.in), "%q", tt.in)
	}
}
