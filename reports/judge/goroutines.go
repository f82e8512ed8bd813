package judge

import (
	"fmt"
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/stats"
)

// MinGoroutineGrowth is the smallest fitted goroutine gain over the
// measured window that can fail a cell: a server's count moves by its
// requests in flight, so a significant slope adding a handful over a short
// cell is load, not a leak.
const MinGoroutineGrowth = 10

// goroutines is the hard criterion of the target's goroutine count
// (go_goroutines, when scraped): FAIL when it exceeds max_goroutines, or
// when it grows with the slope's whole 95 % interval above
// max_goroutine_growth_per_h, by at least MinGoroutineGrowth, and still
// grows significantly in the last half; UNKNOWN when the growth is
// significant but not confirmed in the last half; PASS otherwise. Left out
// when the target exports no go_goroutines.
func goroutines(_ *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if r.GoroutineFit.N < 2 || math.IsNaN(r.GoroutineMax) {
		return results.Reason{}, false
	}
	floor := j.MaxGoroutineGrowthPerH
	fit := r.GoroutineFit
	s, lo, hi := fit.Slope*3600, fit.SlopeLow*3600, fit.SlopeHigh*3600
	gain := fit.Slope * (r.FitTo - r.FitFrom)
	rs := results.Reason{Criterion: "goroutines", Hard: true, Value: s, Limit: floor, Unit: "/h"}
	msg := fmt.Sprintf("go_goroutines %.0f → %.0f (max %.0f), slope %+.0f/h (95%% CI %.0f…%.0f)", r.GoroutineFirst, r.GoroutineLast, r.GoroutineMax, s, lo, hi)
	if j.MaxGoroutines > 0 && r.GoroutineMax > float64(j.MaxGoroutines) {
		rs.Status, rs.Value, rs.Limit, rs.Unit = results.Fail, r.GoroutineMax, float64(j.MaxGoroutines), "goroutines"
		rs.Message = fmt.Sprintf("goroutines over the ceiling: %.0f > %d: %s", r.GoroutineMax, j.MaxGoroutines, msg)
		return rs, true
	}
	ceiling := ""
	if j.MaxGoroutines > 0 {
		ceiling = fmt.Sprintf("; ceiling %d", j.MaxGoroutines)
	}
	sig := fit.N >= stats.MinFitSamples && lo > 0 && lo > floor
	late := r.GoroutineLate.N >= stats.MinFitSamples && r.GoroutineLate.SlopeLow > 0
	switch {
	case sig && gain >= MinGoroutineGrowth && late:
		rs.Status = results.Fail
		rs.Message = fmt.Sprintf("goroutines growing: %s, +%.0f over %.0f s, still growing in the last half (%.0f…%.0f/h); floor %s/h%s",
			msg, gain, r.FitTo-r.FitFrom, r.GoroutineLate.SlopeLow*3600, r.GoroutineLate.SlopeHigh*3600, thr(floor), ceiling)
	case sig && gain >= MinGoroutineGrowth:
		rs.Status = results.Unknown
		rs.Message = fmt.Sprintf("goroutine growth not confirmed in the last half, run longer: %s; floor %s/h%s", msg, thr(floor), ceiling)
	case sig:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("goroutines steady: fitted gain %+.1f is under %d: %s%s", gain, MinGoroutineGrowth, msg, ceiling)
	default:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("goroutines steady: %s; floor %s/h%s", msg, thr(floor), ceiling)
	}
	return rs, true
}
