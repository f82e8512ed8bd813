package load

import (
	"math"
	"time"
)

// schedule is the open model's arrival plan: request i (from 0) is intended
// to start at At(i), at a constant rate after a linear ramp from 0. With on
// and off both set, the time after the ramp runs in cycles: requests arrive
// at the rate for on seconds, then none for off seconds (bursts with pauses
// between them). It is pure arithmetic, so the number of requests a run
// starts is known in advance and does not depend on how the target behaves.
type schedule struct {
	rate float64 // requests per second at full rate
	ramp float64 // seconds
	dur  float64 // seconds
	on   float64 // seconds of each cycle with arrivals; 0: no cycles
	off  float64 // seconds of each cycle without arrivals
}

// cycles reports whether the schedule pauses between bursts.
func (s schedule) cycles() bool { return s.on > 0 && s.off > 0 }

// rampCount is the number of arrivals during the ramp: the area under the
// rate line from 0 to rate.
func (s schedule) rampCount() float64 { return s.rate * s.ramp / 2 }

// onTime is how many of the first x seconds after the ramp have arrivals.
func (s schedule) onTime(x float64) float64 {
	if !s.cycles() {
		return x
	}
	period := s.on + s.off
	k := math.Floor(x / period)
	return k*s.on + math.Min(x-k*period, s.on)
}

// wallTime is the inverse of onTime: the offset after the ramp at which the
// arrivals have had on seconds of arrival time. A burst includes its end,
// as arrivals counts it: on at a burst's end is that end, not the start of
// the next burst.
func (s schedule) wallTime(on float64) float64 {
	if !s.cycles() || on <= 0 {
		return on
	}
	k := math.Ceil(on/s.on) - 1
	return k*(s.on+s.off) + (on - k*s.on)
}

// arrivals is the cumulative number of intended arrivals by t seconds.
func (s schedule) arrivals(t float64) float64 {
	if t <= 0 {
		return 0
	}
	if t < s.ramp {
		return s.rate * t * t / (2 * s.ramp)
	}
	return s.rampCount() + s.rate*s.onTime(t-s.ramp)
}

// At is the intended start of request i, as an offset from the run's start.
func (s schedule) At(i int64) time.Duration {
	n := float64(i)
	var t float64
	if n < s.rampCount() {
		t = math.Sqrt(2 * s.ramp * n / s.rate)
	} else {
		t = s.ramp + s.wallTime((n-s.rampCount())/s.rate)
	}
	return time.Duration(t * float64(time.Second))
}

// Total is how many requests are intended to start before the run ends.
func (s schedule) Total() int64 {
	return int64(math.Ceil(s.arrivals(s.dur) - 1e-9))
}

// Due is how many requests are intended to have started by elapsed: those
// with At(i) <= elapsed, capped at Total.
func (s schedule) Due(elapsed time.Duration) int64 {
	if elapsed < 0 {
		return 0
	}
	n := int64(math.Floor(s.arrivals(elapsed.Seconds())+1e-9)) + 1
	return min(n, s.Total())
}
