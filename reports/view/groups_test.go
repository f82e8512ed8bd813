package view

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// The analysis reads as named rows with units, by criterion; the time to
// the limit is never "0 s" nor hundreds of hours.
func TestAnalysisGroups(t *testing.T) {
	t.Parallel()
	a := &results.Analysis{
		Window:  results.Window{WarmupS: 18, Samples: 162, FromS: 18},
		Fit:     &results.Fit{Series: "anon", SlopeMiBPerH: 3240, SlopeLowMiBPerH: 3190, SlopeHighMiBPerH: 3290, R2: 0.99, InterceptBytes: 80 << 20},
		OOMRisk: &results.OOMRisk{TimeToLimitS: 715*3600 + 67},
		Peak:    &results.Peak{Series: "working set", Bytes: 243 << 20, Ratio: results.Ptr(0.47)},
	}
	var got []string
	for _, g := range AnalysisGroups(a, 512<<20) {
		for _, r := range g.Rows {
			got = append(got, g.Title+": "+r.Name+" = "+r.Value)
		}
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"Leak: memory slope (anon) = +3,240 MiB/h (95% CI +3,190 … +3,290)",
		"OOM risk: limit reached at the fitted slope in = 30 days",
		"Peak: of the limit = 47 % of 512 MiB",
		"Measured window: warm-up left out = 18s",
	} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "_")
	require.Equal(t, "never (not growing)", TimeToLimit(0))
	require.Equal(t, "1h30m", TimeToLimit(5400))
	require.Nil(t, AnalysisGroups(nil, 0))
}

func TestAxesAndShortID(t *testing.T) {
	t.Parallel()
	cells := []results.Cell{
		{Target: "leaky", Axes: map[string]string{"duration": "3m", "ram": "512MiB", "rps": "500"}},
		{Target: "leaky", Axes: map[string]string{"duration": "3m", "ram": "512MiB", "rps": "5000"}},
	}
	varying, common := Axes(cells)
	require.Equal(t, []string{"rps"}, varying)
	require.Equal(t, "duration=3m, ram=512MiB", common)
	require.Equal(t, "leaky · rps=5000", ShortID(&cells[1], varying))
	require.Equal(t, "leaky", ShortID(&cells[0], nil))
}

func TestNextStep(t *testing.T) {
	t.Parallel()
	fail := func(crit string) []results.Reason {
		return []results.Reason{{Criterion: crit, Status: results.Fail, Hard: true, Message: "m"}}
	}
	for _, tc := range []struct {
		name string
		c    results.Cell
		want string
	}{
		// a leak with a growth site names the site and the time to OOM
		{"leak", results.Cell{Verdict: results.NOGO, Reasons: fail("leak"),
			Analysis:    &results.Analysis{OOMRisk: &results.OOMRisk{TimeToLimitS: 320}},
			GrowthSites: []results.GrowthSite{{Function: "main.(*cache).remember", Delta: 128 << 20}}},
			"Memory keeps growing; at this rate the limit is reached in 5m20s: start with the top growing allocation site, main.(*cache).remember (+128 MiB)."},
		// an OOM kill says what to change
		{"oom", results.Cell{Verdict: results.NOGO, Reasons: fail("oom"), Outcome: results.OOMKilled, RAMLimit: 128 << 20, PeakCgroup: 132 << 20},
			"Peak 132 MiB against a 128 MiB limit: raise the limit above the peak or lower the load (tasks, RPS), then rerun; the memory chart shows when it climbed."},
		// an OOM kill with a growth site (from the last heap profile before the kill) starts there
		{"oom with site", results.Cell{Verdict: results.NOGO, Reasons: fail("outcome"), Outcome: results.OOMKilled, RAMLimit: 128 << 20, PeakCgroup: 132 << 20,
			GrowthSites:  []results.GrowthSite{{Function: "main.(*cache).put", Delta: 100 << 20}},
			HeapProfiles: &results.HeapProfiles{FirstS: 6, FirstFile: "heap-baseline.pb.gz", LastS: 51, LastFile: "heap-last.pb.gz"}},
			"Peak 132 MiB against a 128 MiB limit, and the heap grew most at main.(*cache).put (+100 MiB): start with that allocation site (go tool pprof -diff_base heap-baseline.pb.gz heap-last.pb.gz in the cell's directory), or raise the limit if the growth is expected."},
		// a cell stopped early gets the advice of the criterion that stopped it
		{"early stop", results.Cell{Verdict: results.NOGO, Reasons: fail("early-stop"),
			EarlyStop: &results.EarlyStop{AtS: 120, PlannedS: 300, Criterion: "leak"}},
			"Memory keeps growing: compare heap profiles from the start and the end of a run (go tool pprof -diff_base) to find the growing allocation site."},
		// a server that was not served its load: soaklab's driver's figures
		{"rate, server", results.Cell{Verdict: results.NOGO, Reasons: fail("rate"), Kind: "server"},
			"The load was not served as asked: check the latency and throughput charts for when it started and the errors by kind under Load."},
		// a client that fell behind: what the sink received, and its own log
		{"rate, client", results.Cell{Verdict: results.NOGO, Reasons: fail("rate"), Kind: "client"},
			"The client did not send the load asked of it: the throughput chart shows what soaklab's sink received and when; its errors (malformed or cut-short requests) are under Load, and the client's own output is in its log."},
		// GO cells need nothing
		{"go", results.Cell{Verdict: results.GO}, ""},
	} {
		require.Equal(t, tc.want, NextStep(&tc.c), tc.name)
	}
}

// Reason values in seconds read as durations; an oom-risk with no time to
// the limit reads "never", not "0 s".
func TestReasonValueSeconds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    results.Reason
		want string
	}{
		{results.Reason{Criterion: "oom-risk", Value: 0.95, Limit: 86400, Unit: "s"}, "0.95 s (limit 24h)"},
		{results.Reason{Criterion: "oom-risk", Value: 0, Limit: 86400, Unit: "s"}, "never (horizon 24h)"},
		{results.Reason{Criterion: "oom-risk", Value: 715 * 3600, Limit: 86400, Unit: "s"}, "30 days (limit 24h)"},
	} {
		require.Equal(t, tc.want, ReasonValue(tc.r))
	}
}
