package judge

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/analysis"
)

// mib formats bytes as MiB.
func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/analysis.MiB) }

// signed formats a percentage with its sign.
func signed(p float64) string { return fmt.Sprintf("%+.1f %%", p) }

// hours formats seconds as a short duration.
func hours(s float64) string {
	switch {
	case math.IsInf(s, 1):
		return "never"
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.0f min", s/60)
	default:
		return fmt.Sprintf("%.1f h", s/3600)
	}
}

// sources names what grew: goroutines and the top allocation sites.
func sources(c *results.Cell, r analysis.Result) string {
	var parts []string
	if !math.IsNaN(r.GoroutineSlope) {
		parts = append(parts, fmt.Sprintf("goroutines %.0f → %.0f (%+.0f/h)", r.GoroutineFirst, r.GoroutineLast, r.GoroutineSlope))
	}
	if sites := topSites(c.GrowthSites, 3); len(sites) > 0 {
		parts = append(parts, "top growing allocation sites: "+strings.Join(sites, ", ")+profilesBefore(c))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

// profilesBefore says which heap profiles the sites of a cell that ended
// before its end compare: the last one is the newest before it ended, not
// one at the end.
func profilesBefore(c *results.Cell) string {
	h := c.HeapProfiles
	if h == nil || h.LastS == 0 || h.Last == results.HeapAtEnd {
		return ""
	}
	return fmt.Sprintf(" (heap profiles at %s and %s, the last before the cell ended)", hours(h.FirstS), hours(h.LastS))
}

func topSites(sites []results.GrowthSite, n int) []string {
	s := append([]results.GrowthSite(nil), sites...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Delta > s[j].Delta })
	var out []string
	for _, g := range s {
		if g.Delta <= 0 || len(out) == n {
			break
		}
		where := ""
		if g.File != "" {
			where = fmt.Sprintf(" (%s:%d)", g.File, g.Line)
		}
		out = append(out, fmt.Sprintf("%s%s +%s", g.Function, where, mib(float64(g.Delta))))
	}
	return out
}

func seriesName(r analysis.Result) string {
	if r.FitSeries == "" {
		return "RSS"
	}
	return r.FitSeries
}

// peakSeries names what peaks and episodes are taken from: the cgroup's
// working set (what is held against the limit, page cache included), else
// RSS.
func peakSeries(r analysis.Result) string {
	if r.UsesWorkingSet {
		return "working set"
	}
	return "RSS"
}

// thr formats a threshold as it was set: whole numbers without decimals,
// others with up to three significant digits, so a 0.5 % limit does not
// print as "0 %".
func thr(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
