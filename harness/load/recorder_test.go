package load

import (
	"math/rand/v2"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// histBytes is the analytic size of one histogram at the default geometry.
func histBytes() int64 {
	return int64(hdr.New(1, DefaultHighestLatency.Microseconds(), DefaultSigFigs).ByteSize())
}

func TestModeMemoryBound(t *testing.T) {
	t.Parallel()
	labels := []string{"a", "b", "c"}
	rec := int64(len(labels)) * int64(sizeofLabelRec())
	tests := []struct {
		name  string
		mode  Mode
		hists int64 // histograms the mode may hold for 3 labels
	}{
		{"hdr", ModeHDR, 3*2 + 4},           // corrected+raw per label, 2 interval pairs
		{"windowed", ModeWindowed, 3*4 + 4}, // window and total, corrected+raw, per label
		{"sampled", ModeSampled, 3*2 + 4},   // as hdr; records fewer values
		{"off", ModeOff, 0},                 // no histogram at all
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRecorder(tt.mode, 10, labels, DefaultHighestLatency, DefaultSigFigs)
			bound := tt.hists*histBytes() + rec
			assert.Equal(t, bound, r.MemoryBytes(), "fixed when made")
			rng := rand.New(rand.NewPCG(1, 2))
			// 300k values spread over the whole range, rotating every 10k
			for i := range 300_000 {
				v := time.Duration(rng.Int64N(int64(2 * DefaultHighestLatency)))
				r.record(i%3, v, v/2, errNone)
				if i%10_000 == 0 {
					r.rotate()
					r.interval(time.Now())
				}
			}
			assert.Equal(t, bound, r.MemoryBytes(), "unchanged after 300k values and 30 windows")
		})
	}
}

// Not parallel: testing.AllocsPerRun refuses to run beside parallel tests.
func TestRecordAllocatesNothing(t *testing.T) {
	for _, mode := range []Mode{ModeHDR, ModeWindowed, ModeSampled, ModeOff} {
		r := newRecorder(mode, 10, []string{"a", "b"}, DefaultHighestLatency, DefaultSigFigs)
		i := 0
		allocs := testing.AllocsPerRun(10_000, func() {
			i++
			r.record(i%2, time.Duration(i)*time.Microsecond, time.Millisecond, errKind(i%int(numErrKinds)))
		})
		assert.Zero(t, allocs, "mode %s", mode)
	}
}

func TestRecorderSummaries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mode     Mode
		wantHist int64 // values in the encoded histogram
		wantP99  bool  // percentiles present
	}{
		{"hdr keeps every value", ModeHDR, 1000, true},
		{"windowed merges its windows", ModeWindowed, 1000, true},
		{"sampled keeps 1 in 10", ModeSampled, 100, true},
		{"off keeps no percentiles", ModeOff, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRecorder(tt.mode, 10, []string{"x"}, DefaultHighestLatency, DefaultSigFigs)
			for i := 1; i <= 1000; i++ {
				r.record(0, time.Duration(i)*time.Millisecond, time.Duration(i)*time.Microsecond, errNone)
				if i%300 == 0 {
					r.rotate()
				}
			}
			r.record(0, time.Second, time.Second, errHTTP5xx)
			r.record(0, 0, 0, errRefused)
			var out results.Load
			require.NoError(t, r.fill(&out))
			require.Len(t, out.Labels, 1)
			l := out.Labels[0]
			assert.Equal(t, int64(1002), l.Requests)
			assert.Equal(t, int64(2), l.Errors)
			assert.Equal(t, map[string]int64{"http-5xx": 1, "refused": 1}, out.ErrorsByKind)
			assert.Equal(t, int64(1001), l.Corrected.Count, "refused has no latency, the 500 has")
			assert.InDelta(t, 1.0, l.Corrected.Min, 1e-9)
			assert.InDelta(t, 1000.0, l.Corrected.Max, 1e-9)
			if !tt.wantP99 {
				assert.Empty(t, l.Histogram)
				assert.Zero(t, l.Corrected.P99)
				return
			}
			h, err := hdr.Decode([]byte(l.Histogram))
			require.NoError(t, err)
			assert.InDelta(t, tt.wantHist, h.TotalCount(), 1)
			assert.InDelta(t, 990.0, l.Corrected.P99, 15)
			assert.InDelta(t, 0.99, l.Uncorrected.P99, 0.05)
		})
	}
}

func TestIntervalResets(t *testing.T) {
	t.Parallel()
	r := newRecorder(ModeHDR, 1, []string{"x"}, DefaultHighestLatency, DefaultSigFigs)
	t0 := time.Now()
	r.interval(t0)
	for i := range 100 {
		r.record(0, time.Duration(i+1)*time.Millisecond, time.Millisecond, errNone)
	}
	r.record(0, time.Millisecond, time.Millisecond, errHTTP4xx)
	s := r.interval(t0.Add(time.Second))
	// by latency: ≤1 ms (1 ms and the 4xx), ≤2.5, ≤5, ≤10, ≤25, ≤50, ≤100 ms
	assert.Equal(t, [len(results.LatencyBounds) + 1]int64{2, 1, 3, 5, 15, 25, 50}, s.Latency.Buckets)
	assert.InDelta(t, 5.051, s.Latency.Sum, 1e-9)
	s.Latency = results.LatencyCounts{}
	assert.Equal(t, IntervalStats{Requests: 101, Errors: 1, RPS: 101, P50: 50.015, P99: 99.007, P99Raw: 1}, roundStats(s))
	s = r.interval(t0.Add(2 * time.Second))
	assert.Equal(t, IntervalStats{}, s, "nothing since the previous call")
}

func roundStats(s IntervalStats) IntervalStats {
	s.P50 = float64(int64(s.P50*1000+0.5)) / 1000
	s.P99 = float64(int64(s.P99*1000+0.5)) / 1000
	s.P99Raw = float64(int64(s.P99Raw*1000+0.5)) / 1000
	return s
}

// Not parallel: testing.AllocsPerRun refuses to run beside parallel tests.
// The target runs in another process, so only the driver's allocations
// count: sending, parsing, draining and recording a request allocate
// nothing on a task's own connection.
func TestRequestAllocatesNothing(t *testing.T) {
	url := startTarget(t)
	d, err := New(Config{BaseURL: url, Tasks: 1, Duration: time.Second})
	require.NoError(t, err)
	c := d.newConn()
	defer c.close()
	ctx := t.Context()
	d.do(ctx, c, 0, time.Now()) // dial and fill buffers first
	var seq int64
	allocs := testing.AllocsPerRun(500, func() {
		seq++
		d.do(ctx, c, seq, time.Now())
	})
	assert.Zero(t, allocs)
	assert.Zero(t, d.rec.labels[0].errors)
}
