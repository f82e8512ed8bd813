package html

import (
	_ "embed"
	"html/template"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// The works/OOM grid section: its template and its styles.
var (
	//go:embed grid.tmpl
	gridTmpl string
	//go:embed grid.css
	gridCSS string
)

// gridView is one target's works/OOM grid as the template shows it.
type gridView struct {
	Target  string
	Common  string // axes every row shares
	Horizon string // "24h"; "" when no cell was judged against one
	Axes    []string
	RAMs    []string
	Rows    []gridRowView
}

type gridRowView struct {
	Values []string
	Cells  []gridCellView
}

// gridCellView is one configuration: Label is "" when no cell ran it.
type gridCellView struct {
	Class    string // works, projected, oom, unknown
	Label    string
	Interval string // a projection's bounds, or a works cell's limit
	Horizon  string // "24h: no"
	Counts   string // "2 of 3 runs; 1 works"
	Verdict  string // shown when a works cell is not GO
	VClass   string
	Href     template.URL
	Title    string // every cell of the configuration
}

// gridViews builds the grid of every target of cells.
func gridViews(cells []results.Cell) []gridView {
	var out []gridView
	for _, g := range view.Grids(cells) {
		gv := gridView{Target: g.Target, Common: g.Common, Axes: g.Axes}
		if g.HorizonS > 0 {
			gv.Horizon = view.Seconds(g.HorizonS)
		}
		if len(gv.Axes) == 0 {
			gv.Axes = []string{"configuration"}
		}
		for _, r := range g.RAMs {
			gv.RAMs = append(gv.RAMs, view.Bytes(r))
		}
		for _, row := range g.Rows {
			rv := gridRowView{Values: row.Values}
			if len(g.Axes) == 0 {
				rv.Values = []string{orDash(g.Common)}
			}
			for _, e := range row.Entries {
				rv.Cells = append(rv.Cells, gridCell(e))
			}
			gv.Rows = append(gv.Rows, rv)
		}
		out = append(out, gv)
	}
	return out
}

func gridCell(e *view.GridEntry) gridCellView {
	if e == nil {
		return gridCellView{}
	}
	cv := gridCellView{
		Class: e.State.String(), Label: e.Label(), Horizon: e.HorizonText(), Counts: e.CountText(),
		Href:  template.URL("#" + view.Anchor(e.ID)), //nolint:gosec // CellDir keeps only URL-safe characters.
		Title: strings.Join(e.IDs, "\n"),
	}
	switch e.State {
	case view.Projected:
		cv.Interval = e.Interval()
	case view.Works:
		cv.Interval = e.Limit()
		if e.Verdict != results.GO {
			cv.Verdict, cv.VClass = view.VerdictLabel(e.Verdict), view.VerdictClass(e.Verdict)
		}
	}
	return cv
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
