package junit_test

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/junit"
)

// TestVerdictMapping writes the fixture run as JUnit, parses it back as a CI
// system would, and checks how each verdict maps.
func TestVerdictMapping(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, fixture.Small(dir))
	run, err := results.ReadRun(dir)
	require.NoError(t, err)
	run.Cells = append(run.Cells, results.Cell{ID: "steady/pending", Target: "steady"}) // not judged yet

	var buf bytes.Buffer
	require.NoError(t, junit.Write(&buf, run))
	var doc junit.Suites
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc))
	require.Len(t, doc.Suites, 2, "cells and comparisons")
	require.Equal(t, len(run.Cells)+len(run.Comparisons), doc.Tests)

	byName := map[string]junit.Case{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			byName[c.Name] = c
		}
	}
	for _, tc := range []struct {
		name, id          string
		failure, skipped  bool
		class, outContain string
	}{
		// GO passes
		{"GO", run.Cells[0].ID, false, false, "steady", "verdict GO"},
		// NO-GO by OOM fails with its reason
		{"NO-GO oom", run.Cells[1].ID, true, false, "steady", "oom-killed"},
		// NO-GO by slope fails
		{"NO-GO slope", run.Cells[3].ID, true, false, "leaky", "verdict NO-GO"},
		// NEUTRAL passes with its unmet reasons in system-out
		{"NEUTRAL", run.Cells[4].ID, false, false, "frag", "UNKNOWN steps"},
		// not judged is skipped
		{"pending", "steady/pending", false, true, "steady", "PENDING"},
		// a comparison is a test case of class "comparison"
		{"comparison", run.Comparisons[0].Name, false, false, "comparison", "delta ~"},
	} {
		c, ok := byName[tc.id]
		require.True(t, ok, "%s: case %q missing", tc.name, tc.id)
		require.Equal(t, tc.class, c.ClassName, tc.name)
		require.Equal(t, tc.failure, c.Failure != nil, "%s: failure", tc.name)
		require.Equal(t, tc.skipped, c.Skipped != nil, "%s: skipped", tc.name)
		require.Contains(t, c.SystemOut, tc.outContain, tc.name)
	}
	require.Contains(t, byName[run.Cells[3].ID].Failure.Text, "goroutines", "every unmet reason is listed")
	require.Equal(t, 2, doc.Failures)
	require.Equal(t, 1, doc.Skipped)
}
