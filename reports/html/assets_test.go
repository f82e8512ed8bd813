package html

import (
	"crypto/sha256"
	hexenc "encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The uPlot inlined in every report is the one recorded: its files'
// checksums match assets/uplot.sha256, which scripts/uplot/fetch.sh checks
// against a fresh download of the pinned version (assets/uplot.version).
func TestVendoredUPlot(t *testing.T) {
	t.Parallel()
	sums, err := os.ReadFile("assets/uplot.sha256")
	require.NoError(t, err)
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		require.True(t, ok, "line %q", line)
		want[name] = sum
	}
	version, err := os.ReadFile("assets/uplot.version")
	require.NoError(t, err)
	for name, embedded := range map[string]string{"uPlot.iife.min.js": uplotJS, "uPlot.min.css": uplotCSS} {
		h := sha256.Sum256([]byte(embedded))
		require.Equal(t, want[name], hexenc.EncodeToString(h[:]), "%s differs from the recorded checksum", name)
	}
	require.Contains(t, uplotJS, "(v"+strings.TrimSpace(string(version))+")", "the pinned version")
	lic, err := os.ReadFile("assets/uPlot.LICENSE")
	require.NoError(t, err)
	require.Contains(t, string(lic), "The MIT License")
}
