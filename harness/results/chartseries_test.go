package results

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A chart series reads back as written, NaN gaps included.
func TestChartSeriesRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ChartSeriesFile)
	want := &ChartSeries{Builder: "b/1", Samples: 3, X: []float64{0, 1, 2},
		Source:  []SourceStamp{{Name: SamplesFile, Size: 10, ModTime: 7, TailCRC: 9}},
		Cols:    []Column{{Name: "rss", Y: []float64{1, math.NaN(), 3}}},
		Scalars: map[string]float64{"kill_t": 2}}
	require.NoError(t, WriteChartSeries(path, want))
	got, err := ReadChartSeries(path)
	require.NoError(t, err)
	assert.Equal(t, want.Builder, got.Builder)
	assert.Equal(t, want.Source, got.Source)
	assert.Equal(t, want.X, got.X)
	assert.Equal(t, want.Scalars, got.Scalars)
	require.Len(t, got.Cols, 1)
	assert.Equal(t, 1.0, got.Col("rss")[0])
	assert.True(t, math.IsNaN(got.Col("rss")[1]))
	assert.Nil(t, got.Col("nothing"))
}

// Anything but a whole chart series is an error wrapping ErrChartSeries.
func TestChartSeriesDamaged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	require.NoError(t, WriteChartSeries(good, &ChartSeries{Builder: "b", X: []float64{0, 1}, Cols: []Column{{Name: "a", Y: []float64{1, 2}}}}))
	whole, err := os.ReadFile(good)
	require.NoError(t, err)
	flipped := append([]byte(nil), whole...)
	flipped[len(flipped)-12] ^= 1 // inside the deflate data or its CRC
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"no header", []byte("{}")},
		{"header only", []byte(chartSeriesMagic)},
		{"truncated", whole[:len(whole)-5]},
		{"flipped bit", flipped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(dir, tc.name)
			require.NoError(t, os.WriteFile(p, tc.data, 0o644))
			_, err := ReadChartSeries(p)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrChartSeries), "%v", err)
		})
	}
	// columns that do not match X
	p := filepath.Join(dir, "short column")
	require.NoError(t, WriteChartSeries(p, &ChartSeries{X: []float64{0, 1}, Cols: []Column{{Name: "a", Y: []float64{1}}}}))
	_, err = ReadChartSeries(p)
	assert.ErrorIs(t, err, ErrChartSeries)
}

// The stamp of a samples file changes with every sample appended, whether
// it lands in the live file or rotates it into a segment, and not when
// nothing changes; a missing file stamps as nothing.
func TestStampSamples(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), SamplesFile)
	none, err := StampSamples(path)
	require.NoError(t, err)
	assert.Empty(t, none)
	require.NoError(t, appendN(t, path, 2<<10, 0, 30))
	a, err := StampSamples(path)
	require.NoError(t, err)
	again, err := StampSamples(path)
	require.NoError(t, err)
	assert.True(t, SameSource(a, again))
	require.Greater(t, len(a), 1, "segments and the live file")
	prev := a
	for i := range 40 { // one at a time, through several rotations
		require.NoError(t, appendN(t, path, 2<<10, 30+i, 1))
		next, err := StampSamples(path)
		require.NoError(t, err)
		assert.False(t, SameSource(prev, next), "after sample %d", 30+i)
		prev = next
	}
	assert.Greater(t, len(prev), len(a), "rotated meanwhile")
}
