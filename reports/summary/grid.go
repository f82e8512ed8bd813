package summary

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// MaxGridRows caps the rows of the works/OOM grid, over every target; the
// rest are counted.
const MaxGridRows = 100

// gridMark is the sign of a grid state, so the table reads at a glance.
var gridMark = map[view.GridState]string{view.Works: "✅", view.Unknown: "❔", view.Projected: "🟠", view.OOM: "❌"}

// writeGrid writes the works/OOM grid (view.Grids): a table per target, a
// row per combination of its other axes, a column per memory limit. Nothing
// when no cell has a memory limit.
func writeGrid(b *bytes.Buffer, cells []results.Cell) {
	grids := view.Grids(cells)
	limited := false
	for _, g := range grids {
		for _, r := range g.RAMs {
			limited = limited || r > 0
		}
	}
	if !limited {
		return
	}
	b.WriteString("### Works / OOM grid\n\n")
	b.WriteString(text("✅ works (whole cell, limit not projected within the horizon) · ❌ OOM at T (the kernel's oom_kill counter; T from the start) · "+
		"🟠 OOM ~T projected (earliest … latest at the slope's 95 % bounds) · ❔ unknown. Repeats show their worst.") + "\n\n")
	rows := 0
	for _, g := range grids {
		fmt.Fprintf(b, "**%s**", text(g.Target))
		if g.Common != "" {
			fmt.Fprintf(b, " · every row: %s", code(g.Common))
		}
		if g.HorizonS > 0 {
			fmt.Fprintf(b, " · horizon %s", view.Seconds(g.HorizonS))
		}
		b.WriteString("\n\n")
		axes := g.Axes
		if len(axes) == 0 {
			axes = []string{"configuration"}
		}
		var head, rule []string
		for _, a := range axes {
			head, rule = append(head, text(a)), append(rule, "---")
		}
		for _, r := range g.RAMs {
			head, rule = append(head, view.Bytes(r)), append(rule, "---")
		}
		fmt.Fprintf(b, "| %s |\n| %s |\n", strings.Join(head, " | "), strings.Join(rule, " | "))
		for i, row := range g.Rows {
			if rows == MaxGridRows {
				fmt.Fprintf(b, "\n… and %d more rows; the full report has the whole grid.\n", len(g.Rows)-i)
				break
			}
			rows++
			var cols []string
			if len(g.Axes) == 0 {
				cols = append(cols, text(orDash(g.Common)))
			}
			for _, v := range row.Values {
				cols = append(cols, text(v))
			}
			for _, e := range row.Entries {
				cols = append(cols, gridText(e))
			}
			fmt.Fprintf(b, "| %s |\n", strings.Join(cols, " | "))
		}
		b.WriteString("\n")
		if rows == MaxGridRows {
			break
		}
	}
}

// gridText is one configuration in a few words: "❌ OOM at 25s · 24h: no ·
// 2 of 2 runs".
func gridText(e *view.GridEntry) string {
	if e == nil {
		return "—"
	}
	parts := []string{gridMark[e.State] + " " + e.Label()}
	switch e.State {
	case view.Projected:
		if iv := e.Interval(); iv != "" {
			parts[0] += " " + iv
		}
	case view.Works:
		if l := e.Limit(); l != "" {
			parts = append(parts, l)
		}
		if e.Verdict != results.GO {
			parts = append(parts, view.VerdictLabel(e.Verdict))
		}
	}
	for _, s := range []string{e.HorizonText(), e.CountText()} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return text(strings.Join(parts, " · "))
}
