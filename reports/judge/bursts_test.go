package judge

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/analysis"
)

// TestBurstWindow: a cell whose load came in 2 s bursts with 10 s pauses
// measures its throughput CV over windows of one whole cycle, so a steady
// target shows no variation; 10 s windows would catch one burst or two and
// report a CV of tens of percent.
func TestBurstWindow(t *testing.T) {
	t.Parallel()
	var samples []results.Sample
	for i := range 120 {
		s := results.Sample{T: float64(i), RSS: 50 << 20, Unreclaimable: 50 << 20}
		if i%12 < 2 {
			s.Requests, s.RPS = 80, 80
		}
		samples = append(samples, s)
	}
	bursty := &results.Cell{Kind: "server", Duration: 120, Interval: 1, Warmup: 12,
		Axes: map[string]string{"rps": "80"},
		Load: &results.Load{TargetRPS: 80.0 / 6, Burst: 2, Pause: 10, Sent: 1600, AchievedRPS: 80.0 / 6}}
	p := Params(bursty)
	assert.Equal(t, 12.0, p.Window)
	assert.InDelta(t, 80.0/6, p.RequestedRate, 1e-9)
	r := analysis.Analyze(samples, p)
	assert.Less(t, r.CVPct, 1.0, "one burst per window")

	steady := *bursty
	steady.Load = &results.Load{TargetRPS: 80.0 / 6, Sent: 1600, AchievedRPS: 80.0 / 6}
	r = analysis.Analyze(samples, Params(&steady))
	assert.Greater(t, r.CVPct, 10.0, "10 s windows catch one burst or two")
}
