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

// Lists are numbered: each threshold's episodes as thresholds.0.episodes.1.crossed_s.
func TestAnalysisFieldsLists(t *testing.T) {
	t.Parallel()
	a := &results.Analysis{
		Window: results.Window{Samples: 10},
		Thresholds: []results.ThresholdEpisodes{{Series: "go_goroutines", Above: 100, Leave: 90, Samples: 10, Peak: 130,
			Episodes: []results.ThresholdEpisode{{CrossedS: 3, BackS: results.Ptr(5.0), Peak: 120}, {CrossedS: 8, Peak: 130}}}},
	}
	want := []Field{
		{"window.warmup_s", "0s"}, {"window.samples", "10"}, {"window.from_s", "0s"},
		{"thresholds.0.series", "go_goroutines"}, {"thresholds.0.above", "100"}, {"thresholds.0.leave", "90"},
		{"thresholds.0.samples", "10"}, {"thresholds.0.peak", "130"},
		{"thresholds.0.episodes.0.crossed_s", "3s"}, {"thresholds.0.episodes.0.back_s", "5s"}, {"thresholds.0.episodes.0.peak", "120"},
		{"thresholds.0.episodes.1.crossed_s", "8s"}, {"thresholds.0.episodes.1.peak", "130"},
	}
	assert.Equal(t, want, AnalysisFields(a))
}
