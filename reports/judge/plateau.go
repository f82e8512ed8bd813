package judge

import (
	"fmt"

	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/stats"
)

// stop is growth that stopped inside the measured window (see plateau).
type stop struct {
	Recent stats.Line // the line since the change point
	// Settling: the recent slope is still significantly above the floor,
	// but what it added since the change point is under MinGrowth, too
	// little to project from (a heap settling after its climb).
	Settling bool
	Why      string // "growth stopped at T: ..."
}

// plateau reports growth that stopped inside the measured window, however
// short the cell. At the series' change point (analysis.Change):
//
//   - the growth before it was material (MinGrowth);
//   - the slope before it is significantly above the slope after it (the
//     intervals do not overlap), and the recent slope's upper bound is at
//     most half the slope before (the growth at least halved, with 95 %
//     confidence: the break is chosen where the slopes differ most, so
//     non-overlap alone found a plateau in 1.5 % of noisy steady leaks);
//   - and since it, memory either does not grow significantly above the
//     floor, or grew less than MinGrowth in all (Settling).
//
// The oom-risk projection then starts from the recent line.
func plateau(r analysis.Result, floor float64) (stop, bool) {
	ch := r.Change
	if !r.HasChange || ch.Recent.N < stats.MinFitSamples || ch.Before.N < stats.MinFitSamples {
		return stop{}, false
	}
	before := ch.Before.Slope * (ch.At - r.FitFrom)
	since := ch.Recent.Slope * (r.FitTo - ch.At)
	if before < MinGrowth || ch.Before.SlopeLow <= ch.Recent.SlopeHigh || ch.Recent.SlopeHigh > ch.Before.Slope/2 {
		return stop{}, false
	}
	s := stop{Recent: ch.Recent, Settling: analysis.MiBPerH(ch.Recent.SlopeLow) > floor}
	if s.Settling && since >= MinGrowth {
		return stop{}, false
	}
	s.Why = fmt.Sprintf("growth stopped at %.0f s: %+.1f MiB/h before (%.1f MiB gained), %+.1f MiB/h since (95%% CI %.1f…%.1f, %+.2f MiB in %.0f s",
		ch.At, analysis.MiBPerH(ch.Before.Slope), before/analysis.MiB,
		analysis.MiBPerH(ch.Recent.Slope), analysis.MiBPerH(ch.Recent.SlopeLow), analysis.MiBPerH(ch.Recent.SlopeHigh), since/analysis.MiB, r.FitTo-ch.At)
	if s.Settling {
		s.Why += fmt.Sprintf(", under the %d MiB growth floor: settling, too little to project", MinGrowth>>20)
	}
	s.Why += ")"
	return s, true
}
