package analysis

import (
	"testing"

	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// A day of 1-second samples with a saw-tooth and a leak.
func BenchmarkAnalyzeDay(b *testing.B) {
	s := synth.Spec{Duration: 86400, Noise: 0.3 * M, SawPeriod: 60, SawAmplitude: 10 * M, LeakPerMin: 0.01 * M, RPS: 100, Goroutines: 10}.Samples()
	b.ResetTimer()
	for b.Loop() {
		Analyze(s, Params{Limit: 1 << 30, Warmup: 600})
	}
}
