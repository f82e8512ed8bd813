package judge

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// Early stopping: a cell whose NO-GO can no longer turn is stopped before
// its planned end. A GO is never decided early (a leak may start late).
//
// The rule, at each look (every LookEvery of samples after warm-up, once
// EarlyMinSamples were measured):
//
//   - leak and oom-risk are judged by their own criteria (the functions the
//     verdict uses) on the samples so far, with the slope intervals at
//     EarlyConfidence (99.9 %) instead of 95 %. A leak counts only when its
//     growth goes on (goesOn: material, above the floor over the last half
//     and not slowing); oom-risk only when even the slope's lower bound
//     reaches the limit before the cell's planned end. A criterion must
//     FAIL at EarlyConsecutive looks in a row (a minute of consistent
//     evidence), and no cell stops on memory before EarlyMinEvidence (or
//     as long again as its warm-up, if longer) has passed after warm-up.
//   - errors: once the failed requests exceed max_error_rate of every
//     request the cell can still send (requested rate × planned duration),
//     the error rate can no longer come back under budget. This needs no
//     statistics and stops at once.
//
// Repeated looks inflate false alarms. The stricter level bounds the
// chance of a failing look; the run of consecutive looks, fitted on
// overlapping data, guards against the autocorrelation of memory series,
// which makes Sen's interval too narrow. TestWatchFalseStops measures the
// rate on noise with and without autocorrelation, saw-tooth and plateau
// series; docs/operations.md gives the figures.
const (
	// LookEvery is the span of samples between two looks.
	LookEvery = 30 * time.Second
	// EarlyConfidence is the level of the slope intervals at a look.
	EarlyConfidence = 0.999
	// EarlyConsecutive is how many looks in a row must fail.
	EarlyConsecutive = 3
	// EarlyMinSamples is the fewest measured samples a look judges.
	EarlyMinSamples = 30
	// EarlyMinEvidence is the shortest span after warm-up before a memory
	// criterion may stop a cell; a longer warm-up lengthens it to the
	// warm-up's own length (a start-up that needs a long warm-up may ramp
	// for as long again after it).
	EarlyMinEvidence = 90 * time.Second
	// WatchCapacity bounds the samples a Watch keeps: past it, every other
	// one is dropped and later ones are kept at the wider stride, so a
	// day-long cell costs the harness the same memory as a short one.
	WatchCapacity = 256
)

// Watch judges one cell's samples as they come and says when its NO-GO is
// certain. It is not safe for concurrent use.
type Watch struct {
	cell results.Cell // as planned: limit, warm-up, duration, interval, kind
	j    matrix.Judge
	opts []Option

	kept         []results.Sample // measured samples, decimated past WatchCapacity
	stride, skip int
	nextLook     float64

	failing         map[string]int // consecutive failing looks per criterion
	errors          int64
	plannedRequests float64
	decided         *results.EarlyStop
}

// NewWatch starts watching a cell. c describes the cell as planned (its
// outcome is not read); j is the matrix's judge (defaults are applied).
func NewWatch(c results.Cell, j matrix.Judge, opts ...Option) *Watch {
	c.Outcome = results.Completed
	// The buffer is written through once now, so its pages are taken at
	// the start of the cell and not one at a time as samples fill it (which
	// would show in the harness's own memory as growth).
	kept := make([]results.Sample, WatchCapacity)
	clear(kept)
	w := &Watch{cell: c, j: WithDefaults(j), opts: append(append([]Option(nil), opts...), Confidence(EarlyConfidence)),
		kept: kept[:0], stride: 1, failing: map[string]int{}}
	p := Params(&c, opts...)
	w.nextLook = p.Warmup + LookEvery.Seconds()
	if c.Kind != matrix.KindWorkload && p.RequestedRate > 0 {
		w.plannedRequests = p.RequestedRate * c.Duration
	}
	return w
}

// Add takes the next sample and returns the early stop once a look finds
// the cell's NO-GO certain; nil until then, and after (it decides once).
func (w *Watch) Add(s results.Sample) *results.EarlyStop {
	if w.decided != nil {
		return nil
	}
	w.errors += s.Errors
	if w.plannedRequests > 0 && float64(w.errors) > w.j.MaxErrorRate*w.plannedRequests {
		return w.decide(s.T, "errors", fmt.Sprintf("%d failed requests exceed %s %% of the %.0f the cell can send in all: the error rate cannot come back under its budget",
			w.errors, share(w.j.MaxErrorRate), w.plannedRequests))
	}
	if s.T < w.cell.Warmup {
		return nil
	}
	w.keep(s)
	if s.T < w.nextLook {
		return nil
	}
	for w.nextLook <= s.T {
		w.nextLook += LookEvery.Seconds()
	}
	return w.look(s.T)
}

// keep stores s without its scraped metrics, decimating past the capacity.
func (w *Watch) keep(s results.Sample) {
	if w.skip > 0 {
		w.skip--
		return
	}
	w.skip = w.stride - 1
	s.Metrics = nil
	if len(w.kept) == cap(w.kept) {
		half := w.kept[:0]
		for i := 0; i < len(w.kept); i += 2 {
			half = append(half, w.kept[i])
		}
		clear(w.kept[len(half):])
		w.kept = half
		w.stride *= 2
	}
	w.kept = append(w.kept, s)
}

// look judges the samples so far and decides when a hard criterion has
// failed at enough looks in a row.
func (w *Watch) look(t float64) *results.EarlyStop {
	if len(w.kept) < max(EarlyMinSamples, w.j.MinSamples) {
		return nil
	}
	if !w.grows() {
		clear(w.failing)
		return nil
	}
	c := w.cell
	c.Duration = t // judged as if the cell ended now
	r := analysis.Analyze(w.kept, Params(&c, w.opts...))
	failed := map[string]results.Reason{}
	if x := leak(&c, r, w.j); x.Status == results.Fail && goesOn(r, w.j.MaxSlopeMiBPerH) {
		failed["leak"] = x
	}
	if x, ok := oomRiskWithin(&c, r, w.j); ok && x.Status == results.Fail && w.oomBeforeEnd(r, t) {
		failed["oom-risk"] = x
	}
	for _, name := range []string{"leak", "oom-risk"} {
		x, ok := failed[name]
		if !ok {
			w.failing[name] = 0
			continue
		}
		w.failing[name]++
		if w.failing[name] >= EarlyConsecutive && t >= w.cell.Warmup+max(EarlyMinEvidence.Seconds(), w.cell.Warmup) {
			// The criterion's words, with the level this look used.
			return w.decide(t, name, strings.ReplaceAll(x.Message, "95% CI", "99.9% CI"))
		}
	}
	return nil
}

// grows screens the samples so far without allocating: the least-squares
// slope of the judged series above the floor and its drift between the
// first and last quarter above max_drift_pct, which the leak and oom-risk
// criteria need before they can fail. Only then does a look run the
// analysis, so the looks at a cell that does not grow (most cells, and
// soaklab's own self-soak) make no garbage in the harness.
func (w *Watch) grows() bool {
	_, value := analysis.JudgedValue(w.kept)
	var n, st, sy, stt, sty float64
	for i := range w.kept {
		v := value(&w.kept[i])
		if v <= 0 {
			continue
		}
		t, y := w.kept[i].T, float64(v)
		n++
		st, sy, stt, sty = st+t, sy+y, stt+t*t, sty+t*y
	}
	den := n*stt - st*st
	if n < 8 || den <= 0 {
		return false
	}
	if analysis.MiBPerH((n*sty-st*sy)/den) <= w.j.MaxSlopeMiBPerH {
		return false
	}
	q := int(n) / 4
	var first, last float64
	seen := 0
	for i := range w.kept {
		v := value(&w.kept[i])
		if v <= 0 {
			continue
		}
		switch {
		case seen < q:
			first += float64(v)
		case seen >= int(n)-q:
			last += float64(v)
		}
		seen++
	}
	return first > 0 && (last-first)/first*100 > w.j.MaxDriftPct
}

// goesOn reports growth that shows no sign of stopping, beyond what the
// leak criterion asks at the end of a cell: material (at least MinGrowth
// fitted), above the floor over the last half at the look's level too, and
// not slower there than over the whole window (the last half's interval
// reaches the whole window's slope). A warm-up ramp that outlasts the
// warm-up slows down before it stops; a leak does not.
//
// The last half's lower bound is held against the floor after widening
// its interval for the residuals' autocorrelation ρ by √((1+ρ)/(1−ρ)), the
// variance inflation of a mean of AR(1) points: memory that wanders (a
// heap between collections) gives runs of residuals of one sign, and looks
// repeated on them would otherwise fail by chance. (The last half, not the
// whole window: a leak that started late bends the whole window's line,
// and its residuals would look autocorrelated for that alone.)
func goesOn(r analysis.Result, floor float64) bool {
	lateLow := r.Late.Slope - (r.Late.Slope-r.Late.SlopeLow)*inflation(r.LateAR1)
	return growth(r) >= MinGrowth && r.Late.N >= 10 &&
		analysis.MiBPerH(lateLow) > floor && r.Late.SlopeHigh >= r.Fit.Slope
}

// inflation widens an interval for lag-one autocorrelation rho.
func inflation(rho float64) float64 {
	if math.IsNaN(rho) || rho <= 0 {
		return 1
	}
	rho = math.Min(rho, 0.99)
	return math.Sqrt((1 + rho) / (1 - rho))
}

// oomBeforeEnd reports whether, at the slope's lower bound, the limit is
// reached before the cell's planned end.
func (w *Watch) oomBeforeEnd(r analysis.Result, t float64) bool {
	limit := float64(w.cell.RAMLimit)
	fit := r.Fit
	if growthStopped(r, w.j.MaxSlopeMiBPerH) {
		fit = r.Late
	}
	if limit <= 0 || fit.SlopeLow <= 0 {
		return false
	}
	ttl := math.Max(0, (limit-fit.At(r.FitTo))/fit.SlopeLow)
	return t+ttl < w.cell.Duration
}

func (w *Watch) decide(t float64, criterion, why string) *results.EarlyStop {
	w.decided = &results.EarlyStop{AtS: t, PlannedS: w.cell.Duration, Criterion: criterion,
		Message: criterion + " certain: " + why}
	return w.decided
}

// clock spells seconds as a Go duration rounded to the second (2m40s).
func clock(s float64) string {
	return (time.Duration(math.Round(s)) * time.Second).String()
}

// earlyStopped is the reason of a cell stopped early: a hard FAIL, so the
// verdict is the NO-GO that stopped it whatever the shorter series says
// at 95 %. In record mode it says when the cell would have stopped.
func earlyStopped(c *results.Cell, _ analysis.Result, _ matrix.Judge) (results.Reason, bool) {
	e := c.EarlyStop
	if e == nil {
		return results.Reason{}, false
	}
	rs := results.Reason{Criterion: "early-stop", Value: e.AtS, Limit: e.PlannedS, Unit: "s"}
	if e.Recorded {
		rs.Status = results.Pass
		rs.Message = "would have stopped early (early_stop: record ran it to its end): " + e.Message
		return rs, true
	}
	rs.Status, rs.Hard = results.Fail, true
	rs.Message = fmt.Sprintf("stopped early at %s of %s: %s", clock(e.AtS), clock(e.PlannedS), e.Message)
	return rs, true
}
