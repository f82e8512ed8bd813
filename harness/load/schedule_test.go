package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		s     schedule
		total int64
		at    map[int64]time.Duration
		due   map[time.Duration]int64
	}{
		{
			// 1,000 req/s, no ramp, 2 s => 2,000 requests, one every millisecond
			name:  "constant",
			s:     schedule{rate: 1000, dur: 2},
			total: 2000,
			at:    map[int64]time.Duration{0: 0, 1: time.Millisecond, 1999: 1999 * time.Millisecond},
			due:   map[time.Duration]int64{0: 1, 500 * time.Microsecond: 1, time.Millisecond: 2, time.Hour: 2000},
		},
		{
			// 100 req/s ramped over 2 s, then 2 s flat => 100 + 200 requests
			name:  "ramp",
			s:     schedule{rate: 100, ramp: 2, dur: 4},
			total: 300,
			at:    map[int64]time.Duration{0: 0, 25: time.Second, 100: 2 * time.Second, 200: 3 * time.Second},
			due:   map[time.Duration]int64{time.Second: 26, 2 * time.Second: 101, 3 * time.Second: 201},
		},
		{
			// 10 req/s in 2 s bursts with 3 s pauses, 12 s => bursts at 0-2, 5-7, 10-12
			name:  "bursts",
			s:     schedule{rate: 10, dur: 12, on: 2, off: 3},
			total: 60,
			at:    map[int64]time.Duration{0: 0, 19: 1900 * time.Millisecond, 20: 2 * time.Second, 21: 5100 * time.Millisecond, 40: 7 * time.Second, 41: 10100 * time.Millisecond},
			due:   map[time.Duration]int64{time.Second: 11, 2 * time.Second: 21, 4 * time.Second: 21, 5050 * time.Millisecond: 21, 5100 * time.Millisecond: 22, 8 * time.Second: 41, time.Hour: 60},
		},
		{
			// a 2 s ramp to 10 req/s (10 requests), then bursts of 1 s every 2 s
			name:  "ramp then bursts",
			s:     schedule{rate: 10, ramp: 2, dur: 6, on: 1, off: 1},
			total: 30,
			at:    map[int64]time.Duration{10: 2 * time.Second, 20: 3 * time.Second, 21: 4100 * time.Millisecond},
			due:   map[time.Duration]int64{3500 * time.Millisecond: 21, 4 * time.Second: 21, 5 * time.Second: 30},
		},
		{
			// a fractional end still starts the request intended before it
			name:  "fractional",
			s:     schedule{rate: 3, dur: 1.1},
			total: 4,
			at:    map[int64]time.Duration{3: time.Second},
			due:   map[time.Duration]int64{time.Second: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.total, tt.s.Total())
			for i, want := range tt.at {
				assert.InDelta(t, want, tt.s.At(i), float64(time.Microsecond), "At(%d)", i)
			}
			for e, want := range tt.due {
				assert.Equal(t, want, tt.s.Due(e), "Due(%v)", e)
			}
		})
	}
}
