package judge

import (
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/stats"
)

// projection is the oom-risk criterion's projection of the judged memory
// series to the cell's limit: the line it projects and the time to the
// limit at its slope and at the bounds of the slope's interval, in seconds
// from the end of the measured window (+Inf: never at that slope).
type projection struct {
	fit     stats.Line
	from    string // "fit", "recent" or "last half" (see results.OOMRisk)
	plateau stop   // the growth that stopped, when flat
	flat    bool
	// point at the slope, fast at its upper bound, slow at its lower bound.
	point, fast, slow float64
}

// project is the projection the oom-risk criterion judges: from the whole
// measured window, or from the line since growth stopped (plateau), or
// from the last half when a ramp stopped there (growthStopped). The limit
// is reached when the line, from where it stands at the end of the window,
// has grown by the headroom left.
func project(c *results.Cell, r analysis.Result, j matrix.Judge) projection {
	p := projection{fit: r.Fit, from: "fit"}
	p.plateau, p.flat = plateau(r, j.MaxSlopeMiBPerH)
	if p.flat {
		p.fit, p.from = p.plateau.Recent, "recent"
	} else if growthStopped(r, j.MaxSlopeMiBPerH) {
		p.fit, p.from = r.Late, "last half"
	}
	now := p.fit.At(r.FitTo)
	ttl := func(slope float64) float64 {
		if slope <= 0 {
			return math.Inf(1)
		}
		return math.Max(0, (float64(c.RAMLimit)-now)/slope)
	}
	p.point, p.fast, p.slow = ttl(p.fit.Slope), ttl(p.fit.SlopeHigh), ttl(p.fit.SlopeLow)
	return p
}

// withProjection stores the oom-risk criterion's projection in the cell's
// analysis (results.OOMRisk), so the report's figures, the works/OOM grid
// and the criterion's reason read one projection: none when the cell has
// no limit or no line, when its line does not grow, or when growth stopped
// and what came after is a heap settling, too little to project.
func withProjection(a *results.Analysis, c *results.Cell, r analysis.Result, j matrix.Judge) {
	j = WithDefaults(j)
	if c.RAMLimit <= 0 || r.Fit.N < 2 {
		return
	}
	p := project(c, r, j)
	if math.IsInf(p.point, 1) || (p.flat && p.plateau.Settling) {
		// a heap settling after its climb is not projected (see oomRisk)
		a.OOMRisk = nil
		return
	}
	o := &results.OOMRisk{TimeToLimitS: p.point, From: p.from}
	if p.fit.N >= stats.MinFitSamples {
		o.TimeToLimitLowS = results.Ptr(p.fast)
		if !math.IsInf(p.slow, 1) {
			o.TimeToLimitHighS = results.Ptr(p.slow)
		}
	}
	a.OOMRisk = o
}
