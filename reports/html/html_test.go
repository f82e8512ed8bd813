package html

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

func samples(n int, metrics ...string) []results.Sample {
	out := make([]results.Sample, n)
	for i := range out {
		out[i] = results.Sample{T: float64(i), RSS: int64(100+i) << 20, P99: 5, RPS: 100}
		if len(metrics) > 0 {
			out[i].Metrics = map[string]float64{}
			for j, m := range metrics {
				out[i].Metrics[m] = float64(i + j)
			}
		}
	}
	return out
}

func harnessSamples(n int) []results.Sample {
	out := samples(n)
	for i := range out {
		out[i].DriverRSS, out[i].DriverAnon, out[i].DriverHeap = 30<<20, 12<<20, 4<<20
	}
	return out
}

func driverRSSOnly(s []results.Sample) []results.Sample {
	for i := range s {
		s[i].DriverRSS = 30 << 20
	}
	return s
}

func TestCellSection(t *testing.T) {
	t.Parallel()
	fit := &results.Analysis{Window: results.Window{FromS: 2},
		Fit: &results.Fit{Series: "RSS", InterceptBytes: 100 << 20, SlopeBytesPerS: 1 << 20, SlopeMiBPerH: 3600}}
	for _, tc := range []struct {
		name       string
		cell       results.Cell
		samples    []results.Sample
		maxMetrics int
		want       []string
		absent     []string
	}{
		// an OOM-killed cell gets the kill marked at its peak; no fit keys, no slope line
		{"oom", results.Cell{ID: "a", Outcome: results.OOMKilled, RAMLimit: 128 << 20, PeakCgroup: 128 << 20}, samples(20), 0,
			[]string{">OOM kill at 128 MiB<", "memory limit 128 MiB"}, []string{"fitted slope"}},
		// fit keys draw the slope line; a completed cell has no OOM mark
		{"slope", results.Cell{ID: "b", Outcome: results.Completed, Analysis: fit}, samples(20), 0,
			[]string{"fitted slope (+3,600 MiB/h)"}, []string{">OOM kill<"}},
		// metrics beyond the cap are named, not plotted; goroutines come first
		{"metric cap", results.Cell{ID: "c"}, samples(20, "z_total", "go_goroutines", "a_bytes"), 1,
			[]string{`aria-label="Goroutines (go_goroutines)"`, "Also scraped, not plotted: <code>a_bytes</code>, <code>z_total</code>."},
			[]string{`aria-label="A (a_bytes)"`}},
		// the target's own families come before the runtime's
		{"target families first", results.Cell{ID: "c2"}, samples(20, "process_open_fds", "go_threads", "labelstorm_labels"), 2,
			[]string{`(labelstorm_labels)"`, "Also scraped, not plotted: <code>process_open_fds</code>."},
			[]string{`(process_open_fds)"`}},
		// a threshold draws its level and each episode's crossing and return
		{"threshold", results.Cell{ID: "c3", Analysis: &results.Analysis{Thresholds: []results.ThresholdEpisodes{{
			Series: "heap_bytes", Above: 10, Leave: 9, Samples: 20, Peak: 20,
			Episodes: []results.ThresholdEpisode{{CrossedS: 10, BackS: results.Ptr(15.0), Peak: 15}}}}}},
			samples(20, "heap_bytes"), 0, []string{"threshold 9.537e-06", ">exceeded<", ">no longer exceeded<"}, nil},
		// the harness's memory gets its own chart, never the target's: broken
		// down, or its RSS alone
		{"harness memory", results.Cell{ID: "e"}, harnessSamples(20), 0,
			[]string{`aria-label="soaklab&#39;s own memory"`, "RSS anon (judged)", "Go heap objects"}, nil},
		{"driver rss only", results.Cell{ID: "f"}, driverRSSOnly(samples(20)), 0,
			[]string{`aria-label="soaklab&#39;s own memory"`}, []string{"RSS anon (judged)", "driver RSS"}},
		// a cell that thrashed gets its major faults drawn and the stretch
		// marked; one that did not, no such chart
		{"thrash", results.Cell{ID: "g", Analysis: &results.Analysis{Thrash: &results.Thrash{LongestS: 8, FromS: results.Ptr(2.0), FaultsPerS: results.Ptr(200.0)}}},
			faultSamples(20), 0, []string{"Major page faults (thrashing at the limit)", ">thrashing 8 s<"}, nil},
		{"no thrash", results.Cell{ID: "h", Analysis: &results.Analysis{Thrash: &results.Thrash{LongestS: 0}}}, faultSamples(20), 0,
			nil, []string{"Major page faults"}},
		// cgroup v2: the memory pressure drawn, the stalled stretch marked;
		// without a stall (or without PSI) no such chart
		{"pressure", results.Cell{ID: "i", Analysis: &results.Analysis{Thrash: &results.Thrash{Basis: "memory-stall", LongestS: 6,
			FromS: results.Ptr(3.0), StallPct: results.Ptr(60.0)}}}, pressureSamples(20, 0.6), 0,
			[]string{"Memory pressure (PSI: time stalled on memory)", "every task waiting (full)", ">stalled 6 s<"}, nil},
		{"no pressure", results.Cell{ID: "j"}, pressureSamples(20, 0), 0, nil, []string{"Memory pressure"}},
		// an OOM-killed cell's growth sites say which profiles they compare
		{"sites of a killed cell", results.Cell{ID: "k", Outcome: results.OOMKilled,
			GrowthSites:  []results.GrowthSite{{Function: "main.(*cache).put", Delta: 180 << 20}},
			HeapProfiles: &results.HeapProfiles{FirstS: 6, First: "end of warm-up", LastS: 51, Last: "memory at 90 % of the limit", Taken: 4}}, samples(20), 0,
			[]string{"<code>main.(*cache).put</code>", "heap profile at 51s (memory at 90 % of the limit, the last before the cell ended) against the one at 6s (end of warm-up)"}, nil},
		// a completed cell's last profile is the one at its end
		{"sites at the end", results.Cell{ID: "l", Outcome: results.Completed,
			GrowthSites:  []results.GrowthSite{{Function: "main.(*cache).put", Delta: 180 << 20}},
			HeapProfiles: &results.HeapProfiles{FirstS: 6, First: "end of warm-up", LastS: 60, Last: "end of cell", Taken: 5}}, samples(20), 0,
			[]string{"heap profile at 1m (end of cell) against the one at 6s (end of warm-up)"}, []string{"the last before the cell ended"}},
		// a client's load is what the sink received: no latency, no tasks
		{"client load", results.Cell{ID: "m", Kind: "client", Load: &results.Load{Mode: results.SinkMode, TargetRPS: 150, Duration: 15,
			Sent: 2003, Completed: 2000, Errors: 3, AchievedRPS: 133.3, Bytes: 200000, ErrorsByKind: map[string]int64{"bad-request": 3}}},
			samples(20), 0, []string{"Load the client sent to soaklab's sink", "150 RPS", "2003 / 2000 / 3", "errors: bad-request",
				"received/s", "asked 150/s"},
			[]string{"percentiles)", "late / dropped", "tasks</td>"}},
		// no samples: no plots, a sentence instead
		{"no samples", results.Cell{ID: "d"}, nil, 0, []string{"No samples were recorded for this cell."}, []string{"<svg"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := &results.Run{ID: "r", Cells: []results.Cell{tc.cell}}
			var b bytes.Buffer
			err := Render(&b, Input{Run: run, Samples: map[string][]results.Sample{tc.cell.ID: tc.samples}, Now: time.Unix(0, 0), MaxMetrics: tc.maxMetrics})
			require.NoError(t, err)
			for _, w := range tc.want {
				require.Contains(t, b.String(), w)
			}
			for _, a := range tc.absent {
				require.False(t, strings.Contains(b.String(), a), "unexpected %q", a)
			}
		})
	}
}

// Text from the run is escaped: a hostile cell id or reason cannot inject
// markup into the page.
func TestEscaping(t *testing.T) {
	t.Parallel()
	run := &results.Run{ID: "r", Cells: []results.Cell{{ID: `x<script>alert(1)</script>`, Verdict: results.NOGO,
		Reasons: []results.Reason{{Criterion: "c", Status: results.Fail, Message: `<img src=x onerror=alert(1)>`}}}}}
	var b bytes.Buffer
	require.NoError(t, Render(&b, Input{Run: run}))
	require.NotContains(t, b.String(), "<script>alert")
	require.NotContains(t, b.String(), "<img src=x")
}

// pressureSamples are samples of a v2 cgroup whose tasks all wait on
// memory share of each second.
func pressureSamples(n int, share float64) []results.Sample {
	s := samples(n)
	for i := range s {
		us := int64(share * 1e6 * s[i].T)
		s[i].Pressure = &results.MemPressure{SomeUs: us, FullUs: us}
	}
	return s
}

// faultSamples are samples whose cgroup reads 200 pages a second back.
func faultSamples(n int) []results.Sample {
	s := samples(n)
	for i := range s {
		s[i].MajorFaults = int64(200 * s[i].T)
	}
	return s
}

// SamplesOf loads each cell's samples once, as the sections are built, and
// a loading error shows at the top with what was read; with one worker, in
// order.
func TestSamplesOfLoadsOneCellAtATime(t *testing.T) {
	t.Parallel()
	run := &results.Run{ID: "r", Cells: []results.Cell{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	var loaded []string
	var b bytes.Buffer
	err := Render(&b, Input{Run: run, Now: time.Unix(0, 0), Warnings: []string{"earlier warning"}, Workers: 1,
		SamplesOf: func(c *results.Cell) ([]results.Sample, error) {
			loaded = append(loaded, c.ID)
			if c.ID == "b" {
				return samples(5), errors.New("samples.jsonl line 6: torn")
			}
			return samples(20), nil
		}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, loaded, "each cell once, in order")
	page := b.String()
	assert.Contains(t, page, "earlier warning")
	assert.Contains(t, page, "cell b: samples.jsonl line 6: torn")
	assert.Equal(t, 3, strings.Count(page, `aria-label="Target memory`), "every cell plotted, the torn one from what was read")
}
