package render_test

import (
	"os"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/judge"
	"github.com/soaklab/soaklab/reports/render"
)

// benchRuns writes a synthetic run of cells with seconds one-second
// samples each (through results.SampleWriter, as the runner writes them),
// caches each cell's chart series as the harness does when a cell ends
// (render.CacheChartSeries from the samples read for its verdict), and
// renders it, once per iteration, two ways in the same invocation, so that
// one reads as a ratio of the other on a shared machine:
//
//   - cached: the chart series cached at each cell's end, as after a run;
//   - judge+render: every cell judged again from its whole samples, then
//     rendered from the caches: what `soaklab report` and a run's end do;
//   - from-log: every cache removed first, so every cell's samples are
//     decoded whole (the report of a run made before chart series, and
//     what every report did before them); it caches them again.
//
// Each reports the page size as bytes/report and the CPU time (user and
// system, all threads) as cpu-s/op, which a busy machine moves less than
// the wall time.
func benchRuns(b *testing.B, cells, seconds int) {
	b.Helper()
	dir := b.TempDir()
	if err := fixture.Synthetic(dir, cells, seconds, fixture.Start); err != nil {
		b.Fatal(err)
	}
	r, err := render.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	var paths []string
	for i := range r.Cells {
		p := render.SamplesPath(dir, &r.Cells[i])
		s, err := results.ReadSamples(p)
		if err != nil {
			b.Fatal(err)
		}
		if err := render.CacheChartSeries(p, s); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	b.Run("cached", func(b *testing.B) { renderLoop(b, dir, nil) })
	// What `soaklab report` and the end of a run do: judge every cell again
	// from its whole samples (the judge reads the log, not the chart
	// series), then render from the caches.
	b.Run("judge+render", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			run, err := results.ReadRun(dir)
			if err != nil {
				b.Fatal(err)
			}
			if err := judge.JudgeRun(run, func(c *results.Cell) ([]results.Sample, error) {
				return results.ReadSamples(render.SamplesPath(dir, c))
			}, nil); err != nil {
				b.Fatal(err)
			}
			if _, err := render.Run(dir, render.Now(fixture.Start)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("from-log", func(b *testing.B) {
		renderLoop(b, dir, func() {
			for _, p := range paths {
				if err := os.Remove(results.ChartSeriesPath(p)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// renderLoop renders the run in dir once per iteration, calling before
// first (timed: it is cheap), and reports the page's size and the CPU time.
func renderLoop(b *testing.B, dir string, before func()) {
	var size int64
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if before != nil {
			before()
		}
		out, err := render.Run(dir, render.Now(fixture.Start))
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Warnings) > 0 {
			b.Fatal(out.Warnings)
		}
		size = out.ReportBytes
	}
	b.ReportMetric(float64(size), "bytes/report")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	if size > 10<<20 {
		b.Errorf("report is %d bytes, over the 10 MB budget", size)
	}
}

// BenchmarkRun50Cells renders a synthetic run of 50 cells with one hour of
// one-second samples each (180,000 samples). Budget: under 5 s and 10 MB
// per report.
func BenchmarkRun50Cells(b *testing.B) { benchRuns(b, 50, 3600) }

// BenchmarkRun24h renders one cell with 24 hours of one-second samples
// (86,400): its charts are as light as a short run's.
func BenchmarkRun24h(b *testing.B) { benchRuns(b, 1, 86400) }

// BenchmarkRun50Cells24h renders 50 cells of 24 hours of one-second samples
// each (4.32 million samples, some 1.3 GB of samples.jsonl). Budget: under
// 5 s and 10 MB per report, cached. Run it with BenchmarkRun50Cells (one
// hour a cell) in the same invocation:
//
//	go test ./reports/render -run '^$' -bench 'Run50Cells' -benchtime 1x
func BenchmarkRun50Cells24h(b *testing.B) { benchRuns(b, 50, 86400) }
