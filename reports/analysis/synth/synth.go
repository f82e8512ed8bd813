// Package synth makes synthetic sample series with known answers (flat,
// linear leak, saw-tooth, stair steps, warm-up ramp) for the tests of
// analysis, judge and report code. Noise is seeded: the same Spec gives the
// same samples every time.
package synth

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/soaklab/soaklab/harness/results"
)

// MiB is 2^20 bytes.
const MiB = 1 << 20

// Spec describes a series. Memory fields are in bytes, times in seconds.
type Spec struct {
	Duration float64 // default 180
	Interval float64 // default 1
	Warmup   float64 // samples before it are marked Phase "warmup"
	Base     float64 // steady level, default 15 MiB
	Noise    float64 // standard deviation of GC noise around the shape
	// AR is the lag-one autocorrelation of the noise (0 = independent):
	// memory wanders, as a real heap's does between collections.
	AR   float64
	Seed uint64

	LeakPerMin float64 // linear growth per minute
	LeakFrom   float64 // the leak starts at this t (a late leak)

	SawPeriod    float64 // a GC saw-tooth: climbs by SawAmplitude over SawPeriod then drops
	SawAmplitude float64

	StepEvery float64 // a stair step of StepSize every StepEvery seconds
	StepSize  float64

	RampFor    float64 // a warm-up ramp from Base−RampHeight to Base over RampFor
	RampHeight float64

	WorkingSet bool // report memory as cgroup working set as well as RSS

	RPS      float64 // completed requests per second; 0 = no load fields
	RPSNoise float64 // relative standard deviation of RPS
	Errors   float64 // share of requests failed
	P99      float64 // ms

	Goroutines       float64 // go_goroutines at t=0; 0 = not scraped
	GoroutinesPerMin float64

	Counter     string  // a workload counter in Metrics growing at CounterRate
	CounterRate float64 // per second
}

// Samples generates the series.
func (s Spec) Samples() []results.Sample {
	if s.Duration == 0 {
		s.Duration = 180
	}
	if s.Interval == 0 {
		s.Interval = 1
	}
	if s.Base == 0 {
		s.Base = 15 * MiB
	}
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []results.Sample
	var counter, noise float64
	for t := 0.0; t <= s.Duration+1e-9; t += s.Interval {
		m := s.Base + s.LeakPerMin*math.Max(0, t-s.LeakFrom)/60
		if s.SawPeriod > 0 {
			m += s.SawAmplitude * math.Mod(t, s.SawPeriod) / s.SawPeriod
		}
		if s.StepEvery > 0 {
			m += s.StepSize * math.Floor(t/s.StepEvery)
		}
		if s.RampFor > 0 && t < s.RampFor {
			m -= s.RampHeight * (1 - t/s.RampFor)
		}
		// AR(1) noise of standard deviation Noise whatever AR is.
		noise = s.AR*noise + math.Sqrt(1-s.AR*s.AR)*s.Noise*rng.NormFloat64()
		m += noise
		x := results.Sample{T: t, At: start.Add(time.Duration(t * float64(time.Second))), RSS: int64(m)}
		if t < s.Warmup {
			x.Phase = "warmup"
		}
		if s.WorkingSet {
			x.WorkingSet = int64(m * 0.97)
			x.Usage = int64(m * 1.05)
		}
		if s.RPS > 0 {
			rps := s.RPS * (1 + s.RPSNoise*rng.NormFloat64())
			x.Requests = int64(rps * s.Interval * (1 - s.Errors))
			x.Errors = int64(rps * s.Interval * s.Errors)
			x.RPS = float64(x.Requests) / s.Interval
			x.P99 = s.P99
		}
		if s.Goroutines > 0 || s.Counter != "" {
			x.Metrics = map[string]float64{}
		}
		if s.Goroutines > 0 {
			x.Metrics["go_goroutines"] = math.Round(s.Goroutines + s.GoroutinesPerMin*t/60)
		}
		if s.Counter != "" {
			counter += s.CounterRate * s.Interval * (1 + 0.01*rng.NormFloat64())
			x.Metrics[s.Counter] = math.Floor(counter)
		}
		out = append(out, x)
	}
	return out
}
