package render_test

import (
	"os"
	"testing"

	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/render"
)

// benchRender renders a synthetic run of cells with seconds one-second
// samples each, once per iteration, reports the report size as
// bytes/report and returns the run's directory.
func benchRender(b *testing.B, cells, seconds int) string {
	b.Helper()
	dir := b.TempDir()
	if err := fixture.Synthetic(dir, cells, seconds, fixture.Start); err != nil {
		b.Fatal(err)
	}
	var size int64
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		out, err := render.Run(dir, render.Now(fixture.Start))
		if err != nil {
			b.Fatal(err)
		}
		size = out.ReportBytes
	}
	b.ReportMetric(float64(size), "bytes/report")
	// CPU seconds (user and system, all threads) per render: on a machine
	// shared with other work it moves less than the wall time does.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	return dir
}

// BenchmarkRun50Cells renders a synthetic run of 50 cells with one hour of
// one-second samples each (180,000 samples). Budget: under 5 s and 10 MB per
// report. It reports the report size as bytes/report.
func BenchmarkRun50Cells(b *testing.B) {
	dir := benchRender(b, 50, 3600)
	if fi, err := os.Stat(dir + "/" + render.ReportFile); err == nil && fi.Size() > 10<<20 {
		b.Errorf("report is %d bytes, over the 10 MB budget", fi.Size())
	}
}

// BenchmarkRun24h renders one cell with 24 hours of one-second samples
// (86,400): downsampling keeps its plots as light as a short run's.
func BenchmarkRun24h(b *testing.B) {
	benchRender(b, 1, 86400)
}

// BenchmarkRun50Cells24h renders 50 cells of 24 hours of one-second samples
// each (4.32 million samples, some 1.3 GB of samples.jsonl). Budget: under
// 5 s and 10 MB per report. Run it with BenchmarkRun50Cells (one hour a
// cell) in the same invocation to read it as a ratio on a shared machine:
//
//	go test ./reports/render -run '^$' -bench 'Run50Cells' -benchtime 1x
func BenchmarkRun50Cells24h(b *testing.B) {
	dir := benchRender(b, 50, 86400)
	if fi, err := os.Stat(dir + "/" + render.ReportFile); err == nil && fi.Size() > 10<<20 {
		b.Errorf("report is %d bytes, over the 10 MB budget", fi.Size())
	}
}
