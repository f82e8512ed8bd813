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

// driver is the soft criterion on the harness's own memory: a driver whose
// RSS grows significantly faster than the slope floor disturbs the cell it
// measures (and on a long soak may be what runs out of memory), so the cell
// cannot be a confident GO. Flat means the 95 % interval reaches below the
// floor; "indistinguishable from zero" when it contains zero.
func driver(_ *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if !r.HasDriver || r.Driver.N < 2 || r.FitTo-r.FitFrom < DriverMinSpan.Seconds()*0.9 {
		return results.Reason{}, false
	}
	slope := analysis.MiBPerH(r.Driver.Slope)
	low, high := analysis.MiBPerH(r.Driver.SlopeLow), analysis.MiBPerH(r.Driver.SlopeHigh)
	rs := results.Reason{Criterion: "driver", Value: slope, Limit: j.MaxSlopeMiBPerH, Unit: "MiB/h", Status: results.Pass}
	what := "soaklab's own RSS"
	if r.DriverSeries == "RSS anon" {
		what = "soaklab's own anonymous memory"
	}
	switch {
	case low > j.MaxSlopeMiBPerH:
		rs.Status = results.Fail
		rs.Message = fmt.Sprintf("%s grows %+.1f MiB/h (95%% CI %.1f…%.1f) > %s MiB/h: the harness disturbs the measurement", what, slope, low, high, thr(j.MaxSlopeMiBPerH))
	case low <= 0 && high >= 0:
		rs.Message = fmt.Sprintf("%s flat: %+.1f MiB/h (95%% CI %.1f…%.1f), indistinguishable from zero", what, slope, low, high)
	default:
		rs.Message = fmt.Sprintf("%s %+.1f MiB/h (95%% CI %.1f…%.1f), within the %s MiB/h floor", what, slope, low, high, thr(j.MaxSlopeMiBPerH))
	}
	rs.Message += driverDetail(r)
	return rs, true
}

// driverDetail adds the harness's whole RSS and Go heap slopes to its
// criterion's message, when the judged line is neither.
func driverDetail(r analysis.Result) string {
	var parts []string
	if r.DriverSeries != "RSS" && r.HasDriverRSS {
		parts = append(parts, fmt.Sprintf("whole RSS %+.1f MiB/h", analysis.MiBPerH(r.DriverRSS.Slope)))
	}
	if r.HasDriverHeap {
		parts = append(parts, fmt.Sprintf("Go heap %+.1f MiB/h", analysis.MiBPerH(r.DriverHeap.Slope)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
