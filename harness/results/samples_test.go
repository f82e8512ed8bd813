package results

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appendN opens the samples file at path rotating past maxBytes, appends
// n samples with T = first, first+1, ..., and returns Close's error.
func appendN(t *testing.T, path string, maxBytes int64, first, n int) error {
	t.Helper()
	w, err := CreateSamplesSegmented(path, maxBytes)
	require.NoError(t, err)
	for i := range n {
		s := Sample{T: float64(first + i), RSS: int64(first+i) << 20, Metrics: map[string]float64{"go_goroutines": 12}}
		require.NoError(t, w.Write(&s))
	}
	assert.Equal(t, n, w.Count())
	return w.Close()
}

func times(s []Sample) []float64 {
	out := make([]float64, len(s))
	for i := range s {
		out[i] = s[i].T
	}
	return out
}

func seq(from, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(from + i)
	}
	return out
}

// Past its size the file rotates into gzipped segments; the reader gets
// every sample back, in order, and nothing but the segments and the live
// file is left.
func TestSamplesRotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, SamplesFile)
	require.NoError(t, appendN(t, path, 2<<10, 0, 300))

	names, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	segs, err := segments(path)
	require.NoError(t, err)
	require.Greater(t, len(segs), 5, "%v", names)
	assert.Len(t, names, len(segs)+1, "segments and the live file only: %v", names)
	for _, s := range segs {
		assert.Regexp(t, `samples\.\d{4}\.jsonl\.gz$`, s)
	}
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.LessOrEqual(t, st.Size(), int64(2<<10))

	got, err := ReadSamples(path)
	require.NoError(t, err)
	assert.Equal(t, seq(0, 300), times(got))
	assert.Equal(t, 12.0, got[299].Metrics["go_goroutines"])

	// A resumed writer numbers on after the segments there.
	require.NoError(t, appendN(t, path, 2<<10, 300, 100))
	got, err = ReadSamples(path)
	require.NoError(t, err)
	assert.Equal(t, seq(0, 400), times(got))
}

// What a harness stopped mid-way leaves is read whole: a segment still
// uncompressed, a compressed twin of it (read once), a partial .tmp
// (ignored) and a torn last line in the live file (dropped).
func TestSamplesReadLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, SamplesFile)
	require.NoError(t, appendN(t, path, 0, 0, 10)) // no rotation: segments made by hand
	require.NoError(t, os.Rename(path, segmentPath(path, 1)))
	data, err := os.ReadFile(segmentPath(path, 1))
	require.NoError(t, err)
	require.NoError(t, compressSegment(segmentPath(path, 1)))
	require.NoError(t, os.WriteFile(segmentPath(path, 1), data, 0o644)) // the plain twin
	require.NoError(t, os.WriteFile(segmentPath(path, 2)+".gz.tmp", []byte("partial"), 0o644))

	require.NoError(t, appendN(t, path, 0, 10, 5))
	require.NoError(t, os.Rename(path, segmentPath(path, 2))) // uncompressed segment 2
	require.NoError(t, appendN(t, path, 0, 15, 3))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"t":18,"rss":`) // torn
	require.NoError(t, err)
	require.NoError(t, f.Close())

	got, err := ReadSamples(path)
	require.NoError(t, err)
	assert.Equal(t, seq(0, 18), times(got))
}

// A segment that cannot be compressed (here its temporary file's name is
// taken by a directory) stays whole; Close names it and no sample is lost.
func TestSamplesCompressionFailureKeepsSegment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, SamplesFile)
	require.NoError(t, os.Mkdir(segmentPath(path, 1)+".gz.tmp", 0o755))
	err := appendN(t, path, 2<<10, 0, 40)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "samples.0001.jsonl (kept uncompressed)")
	_, err = os.Stat(segmentPath(path, 1))
	assert.NoError(t, err, "the plain segment is kept")
	got, err := ReadSamples(path)
	require.NoError(t, err)
	assert.Equal(t, seq(0, 40), times(got))
}
