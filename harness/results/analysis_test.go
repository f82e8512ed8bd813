package results

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// full is an analysis with every group and optional field filled.
func full() *Analysis {
	return &Analysis{
		Window:     Window{WarmupS: 60, Samples: 540, FromS: 60},
		Fit:        &Fit{Series: "anon", InterceptBytes: 40 << 20, SlopeBytesPerS: 12, SlopeMiBPerH: 0.04, SlopeLowMiBPerH: -0.3, SlopeHighMiBPerH: 0.5, R2: 0.02},
		Drift:      &Drift{Pct: 0},
		Troughs:    &Troughs{SlopeMiBPerH: 0.1},
		Steps:      &Steps{Count: 0},
		OOMRisk:    &OOMRisk{TimeToLimitS: 86400},
		Peak:       &Peak{Series: "working set", Bytes: 50 << 20, Ratio: Ptr(0.78), Episodes: Ptr(0)},
		Thrash:     &Thrash{MaxFaultsPerS: 120, LongestS: 8, FromS: Ptr(30.0), FaultsPerS: Ptr(90.0), UsageRatio: Ptr(0.97)},
		Load:       &LoadFigures{AchievedRatio: Ptr(1.0), ErrorRate: Ptr(0.0), P99Ms: Ptr(3.5), CVPct: Ptr(1.2), ThroughputOpsPerS: Ptr(0.0)},
		Goroutines: &Goroutines{SlopePerH: 0, First: 12, Last: 12},
		Driver:     &DriverMemory{Series: "RSS anon", SlopeMiBPerH: 0.1, SlopeLowMiBPerH: -0.2, SlopeHighMiBPerH: 0.3, RSSSlopeMiBPerH: Ptr(0.0), HeapSlopeMiBPerH: Ptr(0.0)},
	}
}

// TestAnalysisRoundTrip writes runs and cells with analyses and reads them
// back unchanged: measured zeros stay zeros, absent figures stay absent.
func TestAnalysisRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    *Analysis
	}{
		// every figure, many of them a measured zero
		{"full", full()},
		// only the window: nothing else was measured
		{"window only", &Analysis{Window: Window{WarmupS: 5}}},
		// a pending cell has no analysis at all
		{"none", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c := Cell{Schema: SchemaVersion, ID: "a", Dir: "a", Outcome: Completed, Analysis: tt.a}
			run := Run{Schema: SchemaVersion, ID: "r", Cells: []Cell{c}}
			require.NoError(t, WriteJSON(filepath.Join(dir, RunFile), &run))
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "a"), 0o755))
			require.NoError(t, WriteJSON(filepath.Join(dir, "a", CellFile), &c))
			got, err := ReadRun(dir)
			require.NoError(t, err)
			assert.Equal(t, tt.a, got.Cells[0].Analysis)
			cell, err := ReadCell(filepath.Join(dir, "a"))
			require.NoError(t, err)
			assert.Equal(t, tt.a, cell.Analysis)
		})
	}
}

// TestReadSchema1 reads files written by schema 1, whose analysis is a flat
// map with booleans as 0/1: they come back as the current schema with the
// map converted figure by figure.
func TestReadSchema1(t *testing.T) {
	t.Parallel()
	c, err := ReadCell("testdata/v1/cells/probe")
	require.NoError(t, err)
	assert.Equal(t, SchemaVersion, c.Schema)
	assert.Equal(t, "probe/ram=64MiB", c.ID)
	assert.Equal(t, GO, c.Verdict)
	want := &Analysis{
		Window:  Window{WarmupS: 60, Samples: 540, FromS: 60},
		Fit:     &Fit{Series: "anon", InterceptBytes: 40 << 20, SlopeLowMiBPerH: -0.5, SlopeHighMiBPerH: 0.4},
		Drift:   &Drift{Pct: 0},
		Steps:   &Steps{Count: 0},
		Peak:    &Peak{Series: "working set", Bytes: 60000000, Ratio: Ptr(0.894), Episodes: Ptr(0)},
		Thrash:  &Thrash{MaxFaultsPerS: 12, LongestS: 0},
		Load:    &LoadFigures{AchievedRatio: Ptr(1.0), ErrorRate: Ptr(0.0), P99Ms: Ptr(3.5), CVPct: Ptr(1.2)},
		Driver:  &DriverMemory{Series: "RSS anon", SlopeMiBPerH: 0.1, SlopeLowMiBPerH: -0.2, SlopeHighMiBPerH: 0.3, RSSSlopeMiBPerH: Ptr(0.2), HeapSlopeMiBPerH: Ptr(0.0)},
		OOMRisk: nil, // no time_to_limit_s: the slope was not positive
	}
	assert.Equal(t, want, c.Analysis)

	run, err := ReadRun("testdata/v1")
	require.NoError(t, err)
	assert.Equal(t, SchemaVersion, run.Schema)
	require.Len(t, run.Cells, 5)
	for _, c := range run.Cells {
		assert.Equal(t, SchemaVersion, c.Schema, c.ID)
		require.NotNil(t, c.Analysis, c.ID)
	}
	leak := run.Cells[3].Analysis
	require.NotNil(t, leak.Fit)
	assert.Equal(t, 3240.0, leak.Fit.SlopeMiBPerH)
	assert.Equal(t, &Goroutines{SlopePerH: 1200, First: 40, Last: 100}, leak.Goroutines)
	assert.Equal(t, &OOMRisk{TimeToLimitS: 320}, leak.OOMRisk)
	assert.Equal(t, &Steps{Count: 4}, run.Cells[4].Analysis.Steps)
	assert.Nil(t, run.Cells[1].Analysis.Fit, "an oom-killed cell without a fit has none after conversion")
}

// TestAnalysisV1Series converts schema 1's 0/1 flags into the names of
// the series the analysis used, as it chose them.
func TestAnalysisV1Series(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		anon, ws    float64
		fit, peak   string
		driverAnon  float64
		driverFitTo string
	}{
		// a cgroup (working set sampled) and anonymous memory: the cgroup's anon
		{"cgroup", 1, 1, "anon", "working set", 1, "RSS anon"},
		// no cgroup: the process's RssAnon, peaks from RSS
		{"no cgroup", 1, 0, "RSS anon", "RSS", 0, "RSS"},
		// a cgroup without anon figures: the working set
		{"working set", 0, 1, "working set", "working set", 0, "RSS"},
		// nothing but RSS
		{"rss", 0, 0, "RSS", "RSS", 0, "RSS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := AnalysisV1(map[string]float64{"fit_uses_anon": tt.anon, "fit_uses_working_set": tt.ws,
				"fit_slope_bytes_per_s": 1, "peak_bytes": 1, "driver_slope_mib_per_h": 1, "driver_fit_uses_anon": tt.driverAnon})
			assert.Equal(t, tt.fit, a.Fit.Series)
			assert.Equal(t, tt.peak, a.Peak.Series)
			assert.Equal(t, tt.driverFitTo, a.Driver.Series)
			assert.InDelta(t, 3600.0/(1<<20), a.Fit.SlopeMiBPerH, 1e-12, "slope in MiB/h derived when absent")
		})
	}
	assert.Nil(t, AnalysisV1(nil), "a cell never judged")
}

// TestReadRefusesSchema refuses what this soaklab cannot read, naming the
// file and the versions, instead of guessing.
func TestReadRefusesSchema(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		says       []string
	}{
		// a newer soaklab wrote it
		{"newer", `{"schema": 3, "id": "r", "cells": [{"schema": 3, "analysis": {"window": {}}}]}`, []string{"has schema 3", "reads schemas 1 to 2", "newer soaklab"}},
		// not a soaklab results file
		{"missing", `{"id": "r", "cells": []}`, []string{"has no schema field"}},
		// never written by any soaklab
		{"zero", `{"schema": 0, "id": "r"}`, []string{"has schema 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, RunFile), []byte(tt.body), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, CellFile), []byte(tt.body), 0o644))
			_, err := ReadRun(dir)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrSchema), err)
			for _, w := range append(tt.says, filepath.Join(dir, RunFile)) {
				assert.Contains(t, err.Error(), w)
			}
			_, err = ReadCell(dir)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrSchema), err)
			assert.Contains(t, err.Error(), filepath.Join(dir, CellFile))
		})
	}
}

// TestReadSchema1Mislabelled refuses a schema-2 file whose analysis is in
// the schema-1 form rather than reading it as zeros.
func TestReadSchema1Mislabelled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	body := `{"schema": 2, "id": "r", "cells": [{"schema": 2, "id": "a", "analysis": {"slope_mib_per_h": 3240, "n": 162}}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, RunFile), []byte(body), 0o644))
	_, err := ReadRun(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, RunFile))
}
