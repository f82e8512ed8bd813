// Package summary writes a soaklab run as Markdown for a CI job summary
// (for example $GITHUB_STEP_SUMMARY): the verdict counts, a table of the
// NO-GO and NEUTRAL cells with their reasons (the first MaxCells, NO-GO
// first), the comparisons, and where the full report is.
//
// The summary is published as a web page, and much of what it shows comes
// from targets (crash details, log lines and profile symbol names in
// reasons): every text is escaped for Markdown and HTML, and the whole
// stays under MaxBytes, GitHub's limit for a step summary.
package summary

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// Bounds of a summary.
const (
	// MaxBytes caps a summary: GitHub refuses a step summary over 1 MiB.
	MaxBytes = 1 << 20
	// MaxCells caps the table of cells not GO; the rest are counted.
	MaxCells = 200
	// MaxComparisons caps the comparisons shown; the rest are counted.
	MaxComparisons = 50
	// maxText caps one table cell's text.
	maxText = 1500
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
	b := &bytes.Buffer{}
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
	fmt.Fprintf(b, "## %s soaklab run %s\n\n", head, code(r.ID))
	fmt.Fprintf(b, "**%d cells:** GO %d · NEUTRAL %d · NO-GO %d", c.Cells, c.GO, c.NEUTRAL, c.NOGO)
	if c.Pending > 0 {
		fmt.Fprintf(b, " · PENDING %d", c.Pending)
	}
	fmt.Fprintf(b, "  \nhost %s (%s/%s, %d CPUs, cgroup %s), backend %s, status %s\n\n",
		code(r.Host.Hostname), text(r.Host.OS), text(r.Host.Arch), r.Host.CPUs, text(orDash(r.Host.Cgroup)), text(r.Backend), text(r.Status))

	var flagged []*results.Cell
	for i := range r.Cells {
		if v := r.Cells[i].Verdict; v != results.GO {
			flagged = append(flagged, &r.Cells[i])
		}
	}
	// NO-GO first, then NEUTRAL, then cells not judged; in run order within.
	rank := map[results.Verdict]int{results.NOGO: 0, results.NEUTRAL: 1}
	sort.SliceStable(flagged, func(i, j int) bool {
		ri, ok := rank[flagged[i].Verdict]
		if !ok {
			ri = 2
		}
		rj, ok := rank[flagged[j].Verdict]
		if !ok {
			rj = 2
		}
		return ri < rj
	})
	if len(flagged) == 0 {
		fmt.Fprintf(b, "Every cell is GO.\n\n")
	} else {
		fmt.Fprintf(b, "### Cells not GO\n\n| verdict | cell | outcome | peak / limit | reasons |\n| --- | --- | --- | --- | --- |\n")
		for i, cell := range flagged {
			if i == MaxCells {
				break
			}
			var rs []string
			for _, r := range view.UnmetReasons(cell.Reasons) {
				rs = append(rs, fmt.Sprintf("**%s** %s", text(string(r.Status)), text(view.ReasonText(r))))
			}
			if next := view.NextStep(cell); next != "" {
				rs = append(rs, "**next:** "+text(next))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", text(view.VerdictLabel(cell.Verdict)), code(cell.ID),
				text(orDash(string(cell.Outcome))), text(view.PeakText(cell)), clip(strings.Join(rs, "<br>")))
		}
		if n := len(flagged) - MaxCells; n > 0 {
			fmt.Fprintf(b, "\n… and %d more cells not GO; the full report lists them all.\n", n)
		}
		b.WriteString("\n")
		if cfg.chart != nil {
			for i, cell := range flagged {
				if i == MaxCells {
					break
				}
				if img := cfg.chart(cell.ID); img != "" {
					fmt.Fprintf(b, "![Target memory of %s](%s)\n\n", text(cell.ID), link(img))
				}
			}
		}
	}
	if len(r.Comparisons) > 0 {
		b.WriteString("### Comparisons\n\n")
		for i, cmp := range r.Comparisons {
			if i == MaxComparisons {
				fmt.Fprintf(b, "… and %d more comparisons; the full report lists them all.\n\n", len(r.Comparisons)-MaxComparisons)
				break
			}
			fmt.Fprintf(b, "**%s** %s — A: %s · B: %s\n\n", text(view.VerdictLabel(cmp.Verdict)), code(cmp.Name), text(cmp.Baseline), text(cmp.Candidate))
			if len(cmp.Rows) > 0 {
				b.WriteString("| measure | A | B | n | delta | interval | p |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
				for _, row := range cmp.Rows {
					d, ci := view.Delta(row)
					unit := ""
					if row.Unit != "" {
						unit = " (" + row.Unit + ")"
					}
					fmt.Fprintf(b, "| %s%s | %s | %s | %d / %d | %s | %s | %.3g |\n", text(row.Measure), text(unit),
						view.Num(row.A), view.Num(row.B), row.NA, row.NB, d, orDash(ci), row.P) // soaklab's own numbers
				}
				b.WriteString("\n")
			}
			if len(cmp.Reasons) > 0 {
				b.WriteString("| gate | status | measured | threshold |\n| --- | --- | ---: | ---: |\n")
				for _, r := range cmp.Reasons {
					kind := "soft"
					if r.Hard {
						kind = "hard"
					}
					v, l := view.GateFigures(r)
					fmt.Fprintf(b, "| %s (%s) | %s | %s | %s |\n", text(r.Criterion), kind, text(string(r.Status)), text(v), orDash(text(l)))
				}
				b.WriteString("\n")
			}
			for _, r := range view.UnmetReasons(cmp.Reasons) {
				fmt.Fprintf(b, "- **%s** %s\n", text(string(r.Status)), clip(text(view.ReasonText(r))))
			}
			if len(view.UnmetReasons(cmp.Reasons)) > 0 {
				b.WriteString("\n")
			}
		}
	}
	tail := ""
	if report != "" {
		tail = fmt.Sprintf("Full report: [%s](%s)\n", text(report), link(report))
	}
	out := b.Bytes()
	if len(out)+len(tail) > MaxBytes {
		const note = "\n… the summary is cut here to stay under GitHub's 1 MiB limit; the full report has everything.\n\n"
		cut := MaxBytes - len(tail) - len(note)
		if i := bytes.LastIndexByte(out[:cut], '\n'); i >= 0 {
			cut = i + 1
		}
		out = append(out[:cut:cut], note...)
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, tail)
	return err
}

// markdown escapes the characters Markdown or HTML would act on.
var markdown = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"|", `\|`, "~", `\~`, "#", `\#`, "!", `\!`, "@", "@\u200b",
)

// text makes untrusted text safe in Markdown, in a table cell too: control
// characters escaped (results.Printable), then markup.
func text(s string) string { return markdown.Replace(results.Printable(s)) }

// code shows an id in a code span when it is plain (no markup, no
// backticks), and as escaped text otherwise; pipes are escaped for tables
// either way (GitHub unescapes them inside code spans).
func code(s string) string {
	s = results.Printable(s)
	if strings.ContainsAny(s, "<>&`\\") {
		return text(s)
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

// link is a report address made safe as a Markdown link target.
func link(s string) string {
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(results.Printable(s))
}

// clip shortens an escaped cell text to maxText bytes, at a rune boundary
// outside an escape.
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && (s[cut]&0xc0 == 0x80) {
		cut--
	}
	if i := strings.LastIndexAny(s[:cut], " &\\<"); i > cut-16 && i > 0 {
		cut = i
	}
	return s[:cut] + " …"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
