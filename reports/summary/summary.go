// Package summary writes a soaklab run as Markdown for a CI job summary
// (for example $GITHUB_STEP_SUMMARY): the verdict counts, a table of every
// NO-GO and NEUTRAL cell with its reasons, the comparisons, and where the
// full report is.
package summary

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// Option sets a knob of Write.
type Option func(*config)

type config struct{ chart func(cellID string) string }

// MemoryChart names the image of a cell's memory chart (a path or URL,
// "" for none): the cells not GO show theirs under their table.
func MemoryChart(f func(cellID string) string) Option { return func(c *config) { c.chart = f } }

// Write writes the summary of r to w. report is the path or URL of the HTML
// report to point at; "" leaves the pointer out.
func Write(w io.Writer, r *results.Run, report string, opts ...Option) error {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	b := bufio.NewWriter(w)
	var c results.Counts
	for i := range r.Cells {
		c.Cells++
		switch r.Cells[i].Verdict {
		case results.GO:
			c.GO++
		case results.NEUTRAL:
			c.NEUTRAL++
		case results.NOGO:
			c.NOGO++
		default:
			c.Pending++
		}
	}
	head := "✅"
	switch {
	case c.NOGO > 0:
		head = "❌"
	case c.NEUTRAL > 0 || c.Pending > 0:
		head = "⚠️"
	}
	fmt.Fprintf(b, "## %s soaklab run `%s`\n\n", head, r.ID)
	fmt.Fprintf(b, "**%d cells:** GO %d · NEUTRAL %d · NO-GO %d", c.Cells, c.GO, c.NEUTRAL, c.NOGO)
	if c.Pending > 0 {
		fmt.Fprintf(b, " · PENDING %d", c.Pending)
	}
	fmt.Fprintf(b, "  \nhost `%s` (%s/%s, %d CPUs, cgroup %s), backend %s, status %s\n\n",
		r.Host.Hostname, r.Host.OS, r.Host.Arch, r.Host.CPUs, orDash(r.Host.Cgroup), r.Backend, r.Status)

	var flagged []*results.Cell
	for i := range r.Cells {
		if v := r.Cells[i].Verdict; v != results.GO {
			flagged = append(flagged, &r.Cells[i])
		}
	}
	if len(flagged) == 0 {
		fmt.Fprintf(b, "Every cell is GO.\n\n")
	} else {
		fmt.Fprintf(b, "### Cells not GO\n\n| verdict | cell | outcome | peak / limit | reasons |\n| --- | --- | --- | --- | --- |\n")
		for _, cell := range flagged {
			var rs []string
			for _, r := range view.UnmetReasons(cell.Reasons) {
				rs = append(rs, fmt.Sprintf("**%s** %s", r.Status, view.ReasonText(r)))
			}
			if next := view.NextStep(cell); next != "" {
				rs = append(rs, "**next:** "+next)
			}
			fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", view.VerdictLabel(cell.Verdict), cell.ID,
				orDash(string(cell.Outcome)), view.PeakText(cell), mdCell(strings.Join(rs, "<br>")))
		}
		b.WriteString("\n")
		if cfg.chart != nil {
			for _, cell := range flagged {
				if img := cfg.chart(cell.ID); img != "" {
					fmt.Fprintf(b, "![Target memory of %s](%s)\n\n", mdCell(cell.ID), img)
				}
			}
		}
	}
	if len(r.Comparisons) > 0 {
		b.WriteString("### Comparisons\n\n")
		for _, cmp := range r.Comparisons {
			fmt.Fprintf(b, "**%s** `%s` — A: %s · B: %s\n\n", view.VerdictLabel(cmp.Verdict), cmp.Name, mdCell(cmp.Baseline), mdCell(cmp.Candidate))
			if len(cmp.Rows) > 0 {
				b.WriteString("| measure | A | B | n | delta | interval | p |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
				for _, row := range cmp.Rows {
					d, ci := view.Delta(row)
					unit := ""
					if row.Unit != "" {
						unit = " (" + row.Unit + ")"
					}
					fmt.Fprintf(b, "| %s%s | %s | %s | %d / %d | %s | %s | %.3g |\n", mdCell(row.Measure), unit,
						view.Num(row.A), view.Num(row.B), row.NA, row.NB, d, orDash(ci), row.P)
				}
				b.WriteString("\n")
			}
			for _, r := range view.UnmetReasons(cmp.Reasons) {
				fmt.Fprintf(b, "- **%s** %s\n", r.Status, mdCell(view.ReasonText(r)))
			}
			if len(view.UnmetReasons(cmp.Reasons)) > 0 {
				b.WriteString("\n")
			}
		}
	}
	if report != "" {
		fmt.Fprintf(b, "Full report: [%s](%s)\n", report, report)
	}
	return b.Flush()
}

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
