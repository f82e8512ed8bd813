package judge

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// DriverMinSpan is the shortest measured span over which the harness's own
// RSS slope is judged. Over a few minutes the driver is still warming up
// (histogram pages touched as new latency buckets fill, the heap finding its
// size): 2–4 MiB of growth in a 3-minute cell was measured on a flat driver.
// Shorter cells still report the slope in their analysis and plot.
const DriverMinSpan = 10 * time.Minute

// driver is the soft criterion on the harness's own memory, read from
// where the 95 % interval of its slope sits against the slope floor
// (max_slope_mib_per_h), like every criterion: PASS when the upper bound is
// at or under it, FAIL when the lower bound is above it (a driver whose
// memory grows disturbs the cell it measures, and on a long soak may be what
// runs out of memory, so the cell cannot be a confident GO), UNKNOWN when
// the interval straddles it. As the leak criterion does for a target, a
// warm-up ramp that outlasted the warm-up is judged on the last half: PASS
// when that half's upper bound is under the floor. `make soak-self` is
// this criterion with a floor of 1 MiB/h (ci/soak-self.yaml).
func driver(c *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if !r.HasDriver || r.Driver.N < 2 || !driverSpanLongEnough(r, c.Interval) {
		return results.Reason{}, false
	}
	floor := j.MaxSlopeMiBPerH
	slope := analysis.MiBPerH(r.Driver.Slope)
	low, high := analysis.MiBPerH(r.Driver.SlopeLow), analysis.MiBPerH(r.Driver.SlopeHigh)
	lateLow, lateHigh := analysis.MiBPerH(r.DriverLate.SlopeLow), analysis.MiBPerH(r.DriverLate.SlopeHigh)
	stopped := r.DriverLate.N >= 10 && lateHigh <= floor
	rs := results.Reason{Criterion: "driver", Value: slope, Limit: floor, Unit: "MiB/h", Status: results.Pass}
	what := "soaklab's own RSS"
	if r.DriverSeries == "RSS anon" {
		what = "soaklab's own anonymous memory"
	}
	line := fmt.Sprintf("%+.2f MiB/h (95%% CI %.2f…%.2f)", slope, low, high)
	switch {
	case high <= floor && low <= 0:
		rs.Message = fmt.Sprintf("%s flat: %s, indistinguishable from zero", what, line)
	case high <= floor:
		rs.Message = fmt.Sprintf("%s %s, under the %s MiB/h floor", what, line, thr(floor))
	case stopped:
		rs.Message = fmt.Sprintf("%s %s, a ramp that stopped: %.2f…%.2f MiB/h over the last half, under the %s MiB/h floor", what, line, lateLow, lateHigh, thr(floor))
	case low > floor:
		rs.Status = results.Fail
		rs.Message = fmt.Sprintf("%s grows %s > %s MiB/h, over the last half %.2f…%.2f: the harness disturbs the measurement", what, line, thr(floor), lateLow, lateHigh)
	default:
		rs.Status = results.Unknown
		rs.Message = fmt.Sprintf("%s %s straddles the %s MiB/h floor (last half %.2f…%.2f): run longer", what, line, thr(floor), lateLow, lateHigh)
	}
	rs.Message += driverDetail(r)
	return rs, true
}

// driverSpanLongEnough reports whether the fitted span reaches
// DriverMinSpan less the default 10 % warm-up, give or take one sampling
// interval: a 10-minute cell with a 60 s warm-up fits from its first sample
// after 60 s to its last at 600 s, 540 s apart or a millisecond short of it.
func driverSpanLongEnough(r analysis.Result, interval float64) bool {
	slack := interval
	if slack <= 0 {
		slack = 1
	}
	return r.FitTo-r.FitFrom >= DriverMinSpan.Seconds()*0.9-slack
}

// driverDetail adds the harness's whole RSS and Go heap slopes to its
// criterion's message, when the judged line is neither.
func driverDetail(r analysis.Result) string {
	var parts []string
	if r.DriverSeries != "RSS" && r.HasDriverRSS {
		parts = append(parts, fmt.Sprintf("whole RSS %+.2f MiB/h", analysis.MiBPerH(r.DriverRSS.Slope)))
	}
	if r.HasDriverHeap {
		parts = append(parts, fmt.Sprintf("Go heap %+.2f MiB/h", analysis.MiBPerH(r.DriverHeap.Slope)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
