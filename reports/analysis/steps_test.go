package analysis

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
)

// stairs builds a series of n samples starting at base that rises by size
// (over rise samples) every period samples, with a deterministic wiggle of
// amplitude wig.
func stairs(n, period, rise int, base, size, wig float64) []float64 {
	y := make([]float64, n)
	for i := range y {
		done := float64(i / period)
		if k := i % period; k < rise && i >= period {
			done = float64(i/period-1) + float64(k+1)/float64(rise)
		}
		y[i] = base + done*size + wig*math.Sin(float64(i)*2.1)
	}
	return y
}

// TestStepCounter counts steps in shapes whose answer is known, at 1 s
// samples: stairs as often as every 12 s (the shape a batch of requests
// makes under an allocator that keeps its high-water mark) are each
// counted; a steady climb, a saw-tooth and a float that rises in bursts and
// falls back are not.
func TestStepCounter(t *testing.T) {
	t.Parallel()
	const M = 1 << 20
	saw := make([]float64, 120)
	float := make([]float64, 120)
	climb := make([]float64, 120)
	for i := range saw {
		saw[i] = 100*M + float64(i%20)*M                               // 20 MiB saw-tooth every 20 s
		climb[i] = 100*M + float64(i)*M/2 + 0.2*M*math.Sin(float64(i)) // 30 MiB/min, no treads
		float[i] = 50 * M
		if k := i % 12; k < 2 {
			float[i] = 130 * M // a 2 s burst every 12 s, given back at once
		}
	}
	cases := []struct {
		name string
		y    []float64
		want int
	}{
		{"stairs every 12 s, 2 s risers", stairs(120, 12, 2, 100*M, 10*M, 0.3*M), 9},
		{"stairs every 40 s", stairs(160, 40, 1, 100*M, 5*M, 0.3*M), 3},
		{"flat", stairs(120, 1000, 1, 100*M, 0, 0.5*M), 0},
		{"steady climb", climb, 0},
		{"saw-tooth", saw, 0},
		{"bursts given back", float, 0},
		{"too short", stairs(15, 5, 1, 100*M, 10*M, 0), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := steps(c.y); got != c.want {
				t.Errorf("steps %d, want %d", got, c.want)
			}
		})
	}
}

// TestStepsRecorded counts the steps of series recorded from cstairs (the
// C target) under soaklab: 60 s cells, 2 s bursts of 80 requests/s with
// 10 s pauses, 1 s samples, 2 s warm-up. Under glibc's malloc with a thread
// per connection the unreclaimable memory climbs 113 → 148 → 169 → 184 →
// 192 MiB, a step per burst after the first; under jemalloc it floats
// 37–132 MiB and falls back after every burst (its floor moves 37 → 58 MiB,
// below the bursts before it: not a new high); with keep-alive
// connections glibc fills its arenas in the first burst and rises once more
// (437 → 480 MiB).
func TestStepsRecorded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		want int
	}{
		// the fourth step (184 → 192 MiB at 48 s) rises across the last two
		// windows, so no window after it shows it kept
		{"cstairs-glibc-close.jsonl", 3},
		{"cstairs-jemalloc-close.jsonl", 0},
		{"cstairs-glibc-keepalive.jsonl", 1},
		// story 2's four repeats a side (ci/stories/story2.yaml)
		{"cstairs-glibc-close-r1.jsonl", 3},
		{"cstairs-glibc-close-r2.jsonl", 3},
		{"cstairs-glibc-close-r3.jsonl", 2}, // 128 → 180 → 192, then +1 and +7 MiB
		{"cstairs-glibc-close-r4.jsonl", 3},
		{"cstairs-jemalloc-close-r1.jsonl", 0},
		{"cstairs-jemalloc-close-r2.jsonl", 0},
		{"cstairs-jemalloc-close-r3.jsonl", 0},
		{"cstairs-jemalloc-close-r4.jsonl", 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			samples, err := results.ReadSamples(filepath.Join("testdata", "steps", c.file))
			if err != nil {
				t.Fatal(err)
			}
			r := Analyze(samples, Params{Limit: 1 << 30, Warmup: 2})
			if r.Steps != c.want {
				t.Errorf("steps %d, want %d", r.Steps, c.want)
			}
		})
	}
}
