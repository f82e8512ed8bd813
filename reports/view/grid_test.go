package view

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

const day = 86400.0

// risk is the oom-risk reason of a 24 h horizon.
func risk(st results.Status) results.Reason {
	return results.Reason{Criterion: "oom-risk", Status: st, Hard: true, Limit: day, Unit: "s"}
}

// proj is an analysis holding a projection: point, earliest and latest
// (latest < 0: never) seconds from the end of the measured window.
func proj(point, low, high float64) *results.Analysis {
	o := &results.OOMRisk{TimeToLimitS: point, TimeToLimitLowS: &low, From: "fit"}
	if high >= 0 {
		o.TimeToLimitHighS = &high
	}
	return &results.Analysis{OOMRisk: o}
}

// done is a completed 120 s cell judged with reasons and analysis a.
func done(v results.Verdict, a *results.Analysis, rs ...results.Reason) results.Cell {
	return results.Cell{ID: "c", Outcome: results.Completed, Duration: 120, Interval: 1, Samples: 121, Verdict: v, Analysis: a, Reasons: rs}
}

func TestClassifyCell(t *testing.T) {
	t.Parallel()
	killed := results.Cell{ID: "c", Outcome: results.OOMKilled, OOMKills: 1, Duration: 120, Interval: 1, Samples: 42,
		Verdict: results.NOGO, Analysis: &results.Analysis{}, Reasons: []results.Reason{risk(results.Fail)}}
	stopped := done(results.NOGO, proj(600, 300, 1200), risk(results.Fail))
	stopped.EarlyStop = &results.EarlyStop{AtS: 90, PlannedS: 120, Criterion: "oom-risk"}
	counterOnly := done(results.NOGO, &results.Analysis{}, risk(results.Pass))
	counterOnly.OOMKills = 2
	crashed := done(results.NOGO, nil)
	crashed.Outcome = results.Crashed
	cases := []struct {
		name     string
		cell     results.Cell
		state    GridState
		label    string
		interval string
		limit    string
		horizon  string
	}{
		// flat and judged against the horizon: works and lasts it
		{"works", done(results.GO, &results.Analysis{}, risk(results.Pass)), Works, "works", "", "", "24h: yes"},
		// killed after 42 one-second samples: the kernel's counter
		{"oom-killed", killed, OOM, "OOM at 42s", "", "", "24h: no"},
		// the target survived, a process of its cgroup did not
		{"oom counter without the outcome", counterOnly, OOM, "OOM at 2m", "", "", "24h: no"},
		// 10 min to the limit (5…20 min) after 2 min run: from the start
		{"projected", done(results.NOGO, proj(600, 300, 1200), risk(results.Fail)), Projected,
			"OOM ~12m (projected)", "7m … 22m", "", "24h: no"},
		// the interval straddles the horizon: 20 h (10 h … never)
		{"projected maybe", done(results.NEUTRAL, proj(20*3600, 10*3600, -1), risk(results.Unknown)), Projected,
			"OOM ~20h2m (projected)", "10h2m … never", "", "24h: maybe"},
		// stopped early at 90 s: projected from there
		{"stopped early", stopped, Projected, "OOM ~12m (projected)", "6m30s … 22m", "", "24h: no"},
		// a slow leak NO-GO whose limit is days away: works for the horizon
		{"works, limit beyond the horizon", done(results.NOGO, proj(3*day, 2*day, 5*day), risk(results.Pass)), Works,
			"works", "2 days … 5 days", "limit ~3 days (2 days … 5 days)", "24h: yes"},
		// the slope's lower bound does not grow: nothing to project
		{"works, growth not significant", done(results.GO, proj(30*day, 5*day, -1), risk(results.Pass)), Works, "works", "", "", "24h: yes"},
		// horizon: 0 leaves the criterion out; the projection stays
		{"no horizon", done(results.GO, &results.Analysis{OOMRisk: &results.OOMRisk{TimeToLimitS: 320}}), Works,
			"works", "", "limit ~7m20s", ""},
		{"too short", done(results.NEUTRAL, &results.Analysis{}, results.Reason{Criterion: "samples", Status: results.Unknown, Value: 6, Limit: 10}),
			Unknown, "unknown: too short (6 samples)", "", "", ""},
		{"crashed", crashed, Unknown, "unknown: crashed", "", "", ""},
		{"inconclusive", done(results.NEUTRAL, &results.Analysis{}, risk(results.Unknown)), Unknown, "unknown: inconclusive", "", "", "24h: maybe"},
		{"not run", results.Cell{ID: "c"}, Unknown, "unknown: not run", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := ClassifyCell(&c.cell)
			assert.Equal(t, c.state, e.State, "state")
			assert.Equal(t, c.label, e.Label(), "label")
			assert.Equal(t, c.interval, e.Interval(), "interval")
			assert.Equal(t, c.limit, e.Limit(), "limit")
			assert.Equal(t, c.horizon, e.HorizonText(), "horizon")
			assert.Equal(t, 1, e.Counts[e.State])
		})
	}
}

// labelstorm is a client cell of the story's matrix.
func labelstorm(ram string, ramBytes int64, rps, maxLabels string, repeat int, e results.Cell) results.Cell {
	e.Target = "labelstorm"
	e.ID = "labelstorm/max_labels=" + maxLabels + ",ram=" + ram + ",rps=" + rps + ",tasks=8"
	if repeat > 0 {
		e.ID += "#" + string(rune('0'+repeat))
	}
	e.Repeat = repeat
	e.RAMLimit = ramBytes
	e.Axes = map[string]string{"ram": ram, "rps": rps, "tasks": "8", "max_labels": maxLabels, "duration": "2m"}
	return e
}

func TestGrids(t *testing.T) {
	t.Parallel()
	works := done(results.GO, &results.Analysis{}, risk(results.Pass))
	kill := func(samples int) results.Cell {
		return results.Cell{Outcome: results.OOMKilled, OOMKills: 1, Duration: 120, Interval: 1, Samples: samples, Verdict: results.NOGO}
	}
	projected := done(results.NOGO, proj(600, 300, 1200), risk(results.Fail))
	const m = 1 << 20
	cells := []results.Cell{
		labelstorm("256MiB", 256*m, "200", "0", 0, projected),
		labelstorm("128MiB", 128*m, "200", "0", 0, kill(70)),
		labelstorm("128MiB", 128*m, "200", "0", 1, kill(50)), // the earlier kill of two
		labelstorm("128MiB", 128*m, "200", "100", 0, works),
		labelstorm("128MiB", 128*m, "200", "100", 1, kill(90)), // one repeat of a capped run killed
		labelstorm("256MiB", 256*m, "200", "100", 0, works),
		labelstorm("128MiB", 128*m, "50", "0", 0, works),
		{ID: "steady/ram=128MiB", Target: "steady", RAMLimit: 128 * m, Axes: map[string]string{"ram": "128MiB"}, Outcome: results.Completed,
			Duration: 60, Verdict: results.GO, Analysis: &results.Analysis{}, Reasons: []results.Reason{risk(results.Pass)}},
	}
	gs := Grids(cells)
	require.Len(t, gs, 2)
	g := gs[0]
	assert.Equal(t, "labelstorm", g.Target)
	assert.Equal(t, []int64{128 * m, 256 * m}, g.RAMs)
	assert.Equal(t, []string{"rps", "max_labels"}, g.Axes, "tasks is the same everywhere")
	assert.Equal(t, "tasks=8", g.Common)
	assert.Equal(t, day, g.HorizonS)
	require.Len(t, g.Rows, 3)
	// rows numeric: rps 50 before 200, max_labels 0 before 100
	assert.Equal(t, []string{"50", "0"}, g.Rows[0].Values)
	assert.Equal(t, []string{"200", "0"}, g.Rows[1].Values)
	assert.Equal(t, []string{"200", "100"}, g.Rows[2].Values)
	assert.Nil(t, g.Rows[0].Entries[1], "rps 50 never ran at 256 MiB")

	uncapped := g.Rows[1].Entries[0]
	assert.Equal(t, OOM, uncapped.State)
	assert.Equal(t, "OOM at 50s", uncapped.Label(), "the earlier kill")
	assert.Equal(t, "labelstorm/max_labels=0,ram=128MiB,rps=200,tasks=8#1", uncapped.ID)
	assert.Equal(t, "2 of 2 runs", uncapped.CountText())
	assert.Len(t, uncapped.IDs, 2)

	assert.Equal(t, Projected, g.Rows[1].Entries[1].State)
	assert.Equal(t, "OOM ~12m (projected)", g.Rows[1].Entries[1].Label())

	capped := g.Rows[2].Entries[0]
	assert.Equal(t, OOM, capped.State, "the worst repeat shows")
	assert.Equal(t, "1 of 2 runs; 1 works", capped.CountText())
	assert.Equal(t, "OOM at 1m30s", capped.Label())
	assert.Equal(t, "24h: no", capped.HorizonText(), "killed: the grid's horizon")
	assert.Equal(t, Works, g.Rows[2].Entries[1].State)

	s := gs[1]
	assert.Equal(t, "steady", s.Target)
	assert.Empty(t, s.Axes)
	require.Len(t, s.Rows, 1)
	assert.Equal(t, Works, s.Rows[0].Entries[0].State)
}

func TestWhen(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "45s", When(45))
	assert.Equal(t, "1h5m", When(3900))
	assert.Equal(t, "9m59s", When(599))
	assert.Equal(t, "18m", When(17*60+54))
	assert.Equal(t, "3h20m", When(3*3600+19*60+49))
	assert.Equal(t, "31 days", When(31*day))
	assert.False(t, math.IsInf(ClassifyCell(&results.Cell{Outcome: results.OOMKilled, Duration: 60}).AtS, 0))
}

// A works cell whose criterion found no OOM to project (a heap settling,
// growth only in the saw-tooth's peaks) shows no limit inside the horizon:
// "works · limit ~50m · 24h: yes" would contradict itself.
func TestWorksLimitPastTheHorizon(t *testing.T) {
	t.Parallel()
	settling := done(results.GO, proj(50*60, 37*60, 61*60), risk(results.Pass))
	e := ClassifyCell(&settling)
	assert.Equal(t, Works, e.State)
	assert.Empty(t, e.Limit())
	assert.Equal(t, "24h: yes", e.HorizonText())
}
