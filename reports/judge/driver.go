package judge

import (
	"fmt"
	"time"

	"soaklab/harness/results"
	"soaklab/matrix"
	"soaklab/reports/analysis"
)

// DriverMinSpan is the shortest measured span over which the harness's own
// RSS slope is judged. Over a few minutes the driver is still warming up
// (histogram pages touched as new latency buckets fill, the heap finding its
// size): 2–4 MiB of growth in a 3-minute cell was measured on a flat driver.
// Shorter cells still report the slope in their analysis and plot.
const DriverMinSpan = 10 * time.Minute

// driver is the soft criterion on the harness's own memory: a driver whose
// RSS grows significantly faster than the slope floor disturbs the cell it
// measures (and on a long soak may be what runs out of memory), so the cell
// cannot be a confident GO. Flat means the 95 % interval reaches below the
// floor; "indistinguishable from zero" when it contains zero.
func driver(r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if !r.HasDriver || r.Driver.N < 2 || r.FitTo-r.FitFrom < DriverMinSpan.Seconds()*0.9 {
		return results.Reason{}, false
	}
	slope := analysis.MiBPerH(r.Driver.Slope)
	low, high := analysis.MiBPerH(r.Driver.SlopeLow), analysis.MiBPerH(r.Driver.SlopeHigh)
	rs := results.Reason{Criterion: "driver", Value: slope, Limit: j.MaxSlopeMiBPerH, Unit: "MiB/h", Status: results.Pass}
	switch {
	case low > j.MaxSlopeMiBPerH:
		rs.Status = results.Fail
		rs.Message = fmt.Sprintf("soaklab's own RSS grows %+.1f MiB/h (95%% CI %.1f…%.1f) > %.0f MiB/h: the harness disturbs the measurement", slope, low, high, j.MaxSlopeMiBPerH)
	case low <= 0 && high >= 0:
		rs.Message = fmt.Sprintf("soaklab's own RSS flat: %+.1f MiB/h (95%% CI %.1f…%.1f), indistinguishable from zero", slope, low, high)
	default:
		rs.Message = fmt.Sprintf("soaklab's own RSS %+.1f MiB/h (95%% CI %.1f…%.1f), within the %.0f MiB/h floor", slope, low, high, j.MaxSlopeMiBPerH)
	}
	return rs, true
}
