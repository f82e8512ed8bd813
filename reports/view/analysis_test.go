package view

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/harness/results"
)

// TestAnalysisFields lists an analysis in stored order, group by group,
// each value spelled by its unit; absent figures are not listed, measured
// zeros are.
func TestAnalysisFields(t *testing.T) {
	t.Parallel()
	a := &results.Analysis{
		Window: results.Window{WarmupS: 18, Samples: 162, FromS: 18},
		Fit:    &results.Fit{Series: "anon", InterceptBytes: 62 << 20, SlopeBytesPerS: 2048, SlopeMiBPerH: 7, R2: 0.5},
		Peak:   &results.Peak{Series: "RSS", Bytes: 66 << 20, Episodes: results.Ptr(0)},
		Thrash: &results.Thrash{MaxFaultsPerS: 215, LongestS: 8},
	}
	want := []Field{
		{"window.warmup_s", "18s"}, {"window.samples", "162"}, {"window.from_s", "18s"},
		{"fit.series", "anon"}, {"fit.intercept_bytes", "62 MiB"}, {"fit.slope_bytes_per_s", "2 KiB/s"},
		{"fit.slope_mib_per_h", "7 MiB/h"}, {"fit.slope_low_mib_per_h", "0 MiB/h"}, {"fit.slope_high_mib_per_h", "0 MiB/h"},
		{"fit.r2", "0.5"},
		{"peak.series", "RSS"}, {"peak.bytes", "66 MiB"}, {"peak.episodes", "0"},
		{"thrash.max_faults_per_s", "215/s"}, {"thrash.longest_s", "8s"},
	}
	assert.Equal(t, want, AnalysisFields(a))
	assert.Nil(t, AnalysisFields(nil), "a cell not judged lists nothing")
}
