package judge

import (
	"flag"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/matrix"
)

var update = flag.Bool("update", false, "rewrite the table of judge keys in docs/matrix.md")

// TestDefaultJudge pins the defaults the table gives: changing one is a
// decision, not a side effect of editing a row.
func TestDefaultJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want any
	}{
		{matrix.KeyMaxDriftPct, 5.0},
		{matrix.KeyMaxSlopeMiBPerH, 5.0},
		{matrix.KeyHorizon, 24 * time.Hour},
		{matrix.KeyMaxErrorRate, 0.01},
		{matrix.KeyMinRateRatio, 0.95},
		{matrix.KeyPeakWarnRatio, 0.9},
		{matrix.KeyMaxCV, 10.0},
		{matrix.KeyMaxP99, time.Duration(0)}, // no latency budget
		{matrix.KeyMaxThrash, 5 * time.Second},
		{matrix.KeyMinSamples, 10},
	}
	for _, tt := range tests {
		k, ok := matrix.JudgeKeyOf(tt.key)
		require.True(t, ok, tt.key)
		d := DefaultJudge
		assert.Equal(t, tt.want, reflect.ValueOf(k.Field(&d)).Elem().Interface(), tt.key)
	}
	assert.Nil(t, DefaultJudge.Set)
}

// TestCriteria checks the table: names unique, every key of `judge:` owned
// by exactly one criterion with a default of its field's type and its
// documentation.
func TestCriteria(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	owner := map[string]string{}
	for _, c := range Criteria {
		require.NotEmpty(t, c.Name)
		assert.False(t, names[c.Name], "criterion %s listed twice", c.Name)
		names[c.Name] = true
		assert.NotNil(t, c.Judge, c.Name)
		for _, th := range c.Keys {
			k, ok := matrix.JudgeKeyOf(th.Key)
			if !assert.True(t, ok, "%s owns %q, not a key of matrix.JudgeKeys", c.Name, th.Key) {
				continue
			}
			if o, dup := owner[th.Key]; dup {
				t.Errorf("%s is owned by %s and %s", th.Key, o, c.Name)
			}
			owner[th.Key] = c.Name
			var j matrix.Judge
			field := reflect.TypeOf(k.Field(&j)).Elem()
			assert.Equal(t, field, reflect.TypeOf(th.Default), "%s: default of the type of its field", th.Key)
			assert.NotEmpty(t, th.Meaning, th.Key)
			assert.NotEmpty(t, th.Zero, th.Key)
		}
	}
	for _, k := range matrix.JudgeKeys {
		assert.Contains(t, owner, k.Key, "judge key %s has no criterion", k.Key)
	}
}

// docsTable is the table of judge keys of docs/matrix.md, from
// matrix.JudgeKeys (key, type) and Criteria (default, meaning, zero), in
// the order of matrix.JudgeKeys.
func docsTable() []string {
	thresholds := map[string]Threshold{}
	for _, c := range Criteria {
		for _, th := range c.Keys {
			thresholds[th.Key] = th
		}
	}
	out := []string{"| key | type | default | meaning | an explicit 0 |", "| --- | --- | --- | --- | --- |"}
	for _, k := range matrix.JudgeKeys {
		th := thresholds[k.Key]
		out = append(out, "| `"+k.Key+"` | "+k.Type+" | "+defaultText(th.Default)+" | "+th.Meaning+" | "+th.Zero+" |")
	}
	return out
}

func defaultText(v any) string {
	switch v := v.(type) {
	case float64:
		if v != 0 {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
	case time.Duration:
		if v != 0 {
			return matrix.FormatDuration(v)
		}
	case int:
		if v != 0 {
			return strconv.Itoa(v)
		}
	}
	return "none"
}

// TestDocs: the table of judge keys in docs/matrix.md is the one the
// criteria table gives; -update rewrites it.
func TestDocs(t *testing.T) {
	const path = "../../docs/matrix.md"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(string(data), "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "| key | type | default | meaning | an explicit 0 |") {
			start = i
			break
		}
	}
	require.GreaterOrEqual(t, start, 0, "%s has no table of judge keys", path)
	end := start
	for end < len(lines) && strings.HasPrefix(lines[end], "|") {
		end++
	}
	want := docsTable()
	if *update {
		out := append(append(append([]string(nil), lines[:start]...), want...), lines[end:]...)
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644))
		return
	}
	assert.Equal(t, want, lines[start:end], "%s disagrees with the criteria table; run go test ./reports/judge -run TestDocs -update", path)
}
