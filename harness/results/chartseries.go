package results

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// ChartSeriesFile is a cell's chart series, beside its samples: what the
// report draws of them, reduced to a few thousand rows, so that rendering
// a run never decodes days of samples. It is a cache: samples.jsonl stays
// the source of truth, and a chart series that is missing, unreadable or
// older than the samples is rebuilt from them.
const ChartSeriesFile = "chart-series.gz"

// ChartSeries is a cell's samples as the report's charts use them: named
// columns of values over a shared X (seconds since the target started),
// reduced by whoever builds it (the report's Builder), and a few scalars
// the reduction would lose. Source says which samples files it was built
// from and Builder which reduction, so a reader can tell a stale one.
type ChartSeries struct {
	Builder string        // the reduction and its parameters, e.g. "html.v1/1000"
	Source  []SourceStamp // the samples files it was built from, in order
	Samples int           // how many samples went in
	X       []float64
	Cols    []Column
	Scalars map[string]float64
}

// Column is one named series of a ChartSeries, as long as its X.
type Column struct {
	Name string
	Y    []float64
}

// Col returns the column named name, or nil.
func (s *ChartSeries) Col(name string) []float64 {
	for i := range s.Cols {
		if s.Cols[i].Name == name {
			return s.Cols[i].Y
		}
	}
	return nil
}

// SourceStamp tells one samples file (a segment or the live file) from any
// other version of it without reading it whole: its name, size,
// modification time and a checksum of its last bytes (for a gzipped
// segment, the gzip trailer: a checksum of its whole content).
type SourceStamp struct {
	Name    string
	Size    int64
	ModTime int64 // Unix nanoseconds
	TailCRC uint32
}

// tailBytes is how much of the end of a samples file its stamp checks.
const tailBytes = 4096

// StampSamples stamps the samples files behind the samples file at path:
// its segments in order, then the live file when it exists.
func StampSamples(path string) ([]SourceStamp, error) {
	segs, err := segments(path)
	if err != nil {
		return nil, err
	}
	var out []SourceStamp
	for _, name := range append(segs, path) {
		st, err := stampFile(name)
		if errors.Is(err, os.ErrNotExist) && name == path {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func stampFile(name string) (SourceStamp, error) {
	f, err := os.Open(name)
	if err != nil {
		return SourceStamp{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return SourceStamp{}, err
	}
	off := max(fi.Size()-tailBytes, 0)
	buf := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return SourceStamp{}, err
	}
	return SourceStamp{Name: filepath.Base(name), Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), TailCRC: crc32.ChecksumIEEE(buf)}, nil
}

// SameSource says two stamps describe the same samples files.
func SameSource(a, b []SourceStamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ChartSeriesPath is the chart series beside the samples file at
// samplesPath.
func ChartSeriesPath(samplesPath string) string {
	return filepath.Join(filepath.Dir(samplesPath), ChartSeriesFile)
}

// chartSeriesMagic starts a chart series file, before its gzipped gob.
const chartSeriesMagic = "soaklab-chart-series 1\n"

// WriteChartSeries writes s to path atomically, gzipped (gzip's checksum
// covers it: a damaged file does not read back).
func WriteChartSeries(path string, s *ChartSeries) error {
	var b bytes.Buffer
	b.WriteString(chartSeriesMagic)
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(zw).Encode(s); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return WriteFile(path, b.Bytes())
}

// ErrChartSeries is wrapped by ReadChartSeries for a file that is not a
// whole chart series.
var ErrChartSeries = errors.New("not a whole chart series")

// ReadChartSeries reads a chart series written by WriteChartSeries. A file
// that is truncated, damaged or not a chart series is an error wrapping
// ErrChartSeries; one whose columns do not match its X is too.
func ReadChartSeries(path string) (*ChartSeries, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bad := func(why string, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w: %s: %w", path, ErrChartSeries, why, err)
		}
		return fmt.Errorf("%s: %w: %s", path, ErrChartSeries, why)
	}
	rest, ok := bytes.CutPrefix(data, []byte(chartSeriesMagic))
	if !ok {
		return nil, bad("no header", nil)
	}
	zr, err := gzip.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, bad("gzip", err)
	}
	raw, err := io.ReadAll(zr) // checks gzip's CRC-32 and length at the end
	if err != nil {
		return nil, bad("gzip", err)
	}
	var s ChartSeries
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&s); err != nil {
		return nil, bad("decode", err)
	}
	for _, c := range s.Cols {
		if len(c.Y) != len(s.X) {
			return nil, bad(fmt.Sprintf("column %q has %d values for %d rows", c.Name, len(c.Y), len(s.X)), nil)
		}
	}
	return &s, nil
}
