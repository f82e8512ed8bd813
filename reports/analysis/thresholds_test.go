package analysis

import (
	"testing"

	"github.com/soaklab/soaklab/harness/results"
)

// heap makes samples carrying go_memstats_heap_alloc_bytes = v[i] MiB at t = i.
func heap(v ...float64) []results.Sample {
	out := make([]results.Sample, len(v))
	for i, x := range v {
		out[i] = results.Sample{T: float64(i), RSS: 10 << 20, Metrics: map[string]float64{"go_memstats_heap_alloc_bytes": x * M}}
	}
	return out
}

func TestThresholdEpisodes(t *testing.T) {
	t.Parallel()
	level := Level{Series: "go_memstats_heap_alloc_bytes", Above: 100 * M, Leave: 90 * M}
	type ep struct {
		from, back, peak float64 // back -1: still above
	}
	cases := []struct {
		name   string
		s      []results.Sample
		level  Level
		want   []ep
		sample int
	}{
		{"never", heap(10, 50, 99, 20), level, nil, 4},
		// the story's daytime peaks: two crossings, each back under 90 %
		{"two peaks", heap(50, 101, 120, 80, 60, 105, 130, 110, 70), level, []ep{{1, 3, 120}, {5, 8, 130}}, 9},
		// noise at the edge is one episode: 95 is above the leave level
		{"hysteresis", heap(50, 101, 95, 102, 96, 100, 85, 50), level, []ep{{1, 6, 102}}, 8},
		// still above at the end
		{"open", heap(50, 110, 115), level, []ep{{1, -1, 115}}, 3},
		// a memory series of the samples
		{"rss", heap(1, 2, 3), Level{Series: "rss", Above: 5 * M, Leave: 4 * M}, []ep{{0, -1, 10}}, 3},
		// a series the samples lack
		{"absent", heap(1, 2), Level{Series: "go_goroutines", Above: 5, Leave: 4}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Analyze(c.s, Params{Levels: []Level{c.level}}).Thresholds
			if len(got) != 1 || got[0].Samples != c.sample || len(got[0].Episodes) != len(c.want) {
				t.Fatalf("episodes %+v, want %d over %d samples", got, len(c.want), c.sample)
			}
			for i, w := range c.want {
				e := got[0].Episodes[i]
				if e.CrossedS != w.from || e.Peak != w.peak*M || (w.back < 0) != (e.BackS == nil) || (e.BackS != nil && *e.BackS != w.back) {
					t.Errorf("episode %d: %+v (back %v), want %+v", i, e, e.BackS, w)
				}
			}
		})
	}
}
