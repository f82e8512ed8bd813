package view

import (
	"math"
	"strconv"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// GridState is what became of a configuration's memory: the answer to
// "with this much RAM, this load, does it work, and for how long?".
type GridState int

// Grid states, from best to worst: repeats of a configuration show their
// worst.
const (
	// Works: the cell ran to its end, was not killed, and is not projected
	// to reach its limit within the horizon.
	Works GridState = iota
	// Unknown: the cell cannot say: too short, inconclusive, or it ended
	// for another reason (crashed, never ready, the harness failed).
	Unknown
	// Projected: the cell ran to its end (or was stopped early) but its
	// memory, at the oom-risk criterion's projection, reaches the limit
	// within the horizon, or may.
	Projected
	// OOM: the kernel killed it (its cgroup's oom_kill counter rose).
	OOM
)

// String names a state: works, unknown, projected, oom.
func (s GridState) String() string {
	return [...]string{"works", "unknown", "projected", "oom"}[s]
}

// Survival is whether a configuration is projected to last the horizon.
type Survival int

// Survivals, from best to worst.
const (
	Survives   Survival = iota // oom-risk PASS: the limit is not projected within the horizon
	NoHorizon                  // not judged: no horizon (horizon: 0), too short, or ended otherwise
	MaySurvive                 // oom-risk UNKNOWN: the interval straddles the horizon
	Dies                       // killed, or oom-risk FAIL: the limit is reached within the horizon
)

// GridEntry is one configuration of the works/OOM grid: a target, a RAM
// limit and the values of its other axes, over every cell that ran it
// (repeats, and cells of different durations). It shows the worst of
// them: the worst state, and within it the earliest OOM.
type GridEntry struct {
	State GridState
	// AtS is when the limit was or would be reached, in seconds from the
	// target's start: the kill (OOM, to the sampling interval), or the time
	// the cell ran plus the projected time to the limit (Projected, and
	// Works cells whose growth is significant). 0 when none.
	AtS float64
	// LowS and HighS bound a projected AtS with the slope's 95 % interval
	// (HighS +Inf: never at the lower bound); both 0 without an interval.
	LowS, HighS float64
	// Why an Unknown cell cannot say ("too short", "crashed", ...).
	Why string
	// Survives is whether the worst cell lasts HorizonS.
	Survives Survival
	HorizonS float64 // the horizon it was judged against; 0 when none
	RanS     float64 // how long the worst cell ran
	Verdict  results.Verdict
	ID       string // the worst cell: its section is Anchor(ID)
	// Counts are the cells of the configuration in each state, by
	// GridState; Runs their total.
	Counts [4]int
	Runs   int
	IDs    []string // every cell of the configuration, in run order
}

// ClassifyCell says what became of one cell's memory (see GridState):
//
//   - OOM when the kernel killed it (outcome oom-killed, or the cgroup's
//     oom_kill counter above 0), at the time it had run;
//   - Unknown when it ended otherwise than completed (or interrupted), had
//     too few samples to judge, or was not judged;
//   - Projected when the oom-risk criterion FAILed (the limit is reached
//     within the horizon even at the slope's lower bound) or was UNKNOWN
//     with a projection (the interval straddles the horizon);
//   - Works otherwise.
//
// Projections are the analysis's (results.OOMRisk: the criterion's own),
// moved from the end of the measured window to the cell's start; the
// horizon is the oom-risk reason's limit.
func ClassifyCell(c *results.Cell) *GridEntry {
	e := &GridEntry{Verdict: c.Verdict, ID: c.ID, IDs: []string{c.ID}, Runs: 1, RanS: ranFor(c)}
	risk := reasonOf(c.Reasons, "oom-risk")
	if risk != nil && risk.Unit == "s" {
		e.HorizonS = risk.Limit
	}
	defer func() { e.Counts[e.State]++ }()
	if c.Outcome == results.OOMKilled || c.OOMKills > 0 {
		e.State, e.AtS, e.Survives = OOM, e.RanS, Dies
		return e
	}
	e.Survives = NoHorizon
	switch c.Outcome {
	case results.Completed, results.Interrupted:
	case "":
		e.State, e.Why = Unknown, "not run"
		return e
	default:
		e.State, e.Why = Unknown, string(c.Outcome)
		return e
	}
	if s := reasonOf(c.Reasons, "samples"); s != nil && s.Status == results.Unknown {
		e.State, e.Why = Unknown, "too short ("+Num(s.Value)+" samples)"
		return e
	}
	if c.Analysis == nil || c.Verdict == "" {
		e.State, e.Why = Unknown, "not judged"
		return e
	}
	if o := c.Analysis.OOMRisk; o != nil {
		e.AtS = e.RanS + o.TimeToLimitS
		if o.TimeToLimitLowS != nil {
			e.LowS, e.HighS = e.RanS+*o.TimeToLimitLowS, math.Inf(1)
			if o.TimeToLimitHighS != nil {
				e.HighS = e.RanS + *o.TimeToLimitHighS
			}
		}
	}
	switch {
	case risk == nil:
		e.State = Works
	case risk.Status == results.Fail:
		e.State, e.Survives = Projected, Dies
	case risk.Status == results.Unknown && e.AtS > 0:
		e.State, e.Survives = Projected, MaySurvive
	case risk.Status == results.Unknown:
		e.State, e.Why, e.Survives = Unknown, "inconclusive", MaySurvive
	default:
		e.State, e.Survives = Works, Survives
	}
	if e.State == Works && risk != nil && (e.HighS == 0 || math.IsInf(e.HighS, 1) || e.LowS-e.RanS < e.HorizonS) {
		// judged, and the growth is not significant (the slope's lower
		// bound does not grow, or there is no interval), or the criterion
		// found no OOM to project for another reason (the growth stopped,
		// only in the saw-tooth's peaks, or under its floor): only a limit
		// the whole interval puts past the horizon is shown
		e.AtS, e.LowS, e.HighS = 0, 0, 0
	}
	return e
}

// ranFor is how long a cell ran, in seconds from its target's start: to
// its early stop, else its samples (a killed cell), else its duration.
func ranFor(c *results.Cell) float64 {
	if e := c.EarlyStop; e != nil && !e.Recorded && e.AtS > 0 {
		return e.AtS
	}
	if c.Outcome == results.Completed && c.Duration > 0 {
		return c.Duration
	}
	if c.Samples > 0 && c.Interval > 0 {
		s := float64(c.Samples) * c.Interval
		if c.Duration > 0 {
			s = math.Min(s, c.Duration)
		}
		return s
	}
	if !c.Started.IsZero() && c.Ended.After(c.Started) {
		return c.Ended.Sub(c.Started).Seconds()
	}
	return c.Duration
}

func reasonOf(rs []results.Reason, criterion string) *results.Reason {
	for i := range rs {
		if rs[i].Criterion == criterion {
			return &rs[i]
		}
	}
	return nil
}

// Label is an entry's state in a few words: "works", "OOM at 42s",
// "OOM ~1h5m", "unknown: crashed".
func (e *GridEntry) Label() string {
	switch e.State {
	case OOM:
		return "OOM at " + Seconds(e.AtS)
	case Projected:
		if e.AtS > 0 {
			return "OOM ~" + When(e.AtS) + " (projected)"
		}
		return "OOM possible (projected)"
	case Unknown:
		return "unknown: " + e.Why
	}
	return "works"
}

// Interval spells a projection's bounds, "40m … 2h10m" or "40m … never";
// "" without one. A Works entry's projection is beyond its horizon.
func (e *GridEntry) Interval() string {
	if e.LowS == 0 && e.HighS == 0 {
		return ""
	}
	high := "never"
	if !math.IsInf(e.HighS, 1) {
		high = When(e.HighS)
	}
	return When(e.LowS) + " … " + high
}

// Limit spells a Works entry's projection: "limit ~31 days (12 days …
// never)"; "" when its memory does not grow significantly.
func (e *GridEntry) Limit() string {
	if e.State != Works || e.AtS == 0 {
		return ""
	}
	s := "limit ~" + When(e.AtS)
	if iv := e.Interval(); iv != "" {
		s += " (" + iv + ")"
	}
	return s
}

// HorizonText says whether the configuration lasts the horizon: "24h: yes",
// "24h: no", "24h: maybe", or "" when it was not judged against one.
func (e *GridEntry) HorizonText() string {
	if e.HorizonS <= 0 {
		return ""
	}
	h := Seconds(e.HorizonS)
	switch e.Survives {
	case Dies:
		return h + ": no"
	case Survives:
		return h + ": yes"
	case MaySurvive:
		return h + ": maybe"
	}
	return ""
}

// CountText spells the states of a configuration run more than once:
// "2 of 3 runs; 1 works" (the worst state's count first); "" for one run.
func (e *GridEntry) CountText() string {
	if e.Runs <= 1 {
		return ""
	}
	s := strconv.Itoa(e.Counts[e.State]) + " of " + strconv.Itoa(e.Runs) + " runs"
	var rest []string
	for st := OOM; st >= Works; st-- {
		if st != e.State && e.Counts[st] > 0 {
			rest = append(rest, strconv.Itoa(e.Counts[st])+" "+st.String())
		}
	}
	if len(rest) > 0 {
		s += "; " + strings.Join(rest, ", ")
	}
	return s
}

// When spells a projected time from the start: to the second under ten
// minutes, to the minute under two days, in days past: "45s", "17m",
// "3h20m", "31 days" (a projection is no closer than that).
func When(s float64) string {
	switch {
	case s >= 2*86400:
		return Num(math.Round(s/86400)) + " days"
	case s >= 600:
		return Seconds(math.Round(s/60) * 60)
	}
	return Seconds(s)
}
