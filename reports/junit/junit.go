// Package junit writes a soaklab run as a JUnit XML file, the format CI
// systems read to list test results: each cell is a test case (classname =
// target, name = cell id) and each comparison a test case of the class
// "comparison".
//
// Verdicts map as follows: NO-GO is a <failure> whose text lists every
// unmet reason; NEUTRAL passes, with its unmet reasons in <system-out>
// (a NEUTRAL cell is not a regression, and marking it skipped would hide that
// it ran); a cell the judge has not decided is <skipped>.
package junit

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// Suites is the <testsuites> root element.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is one <testsuite>: the cells, or the comparisons.
type Suite struct {
	Name      string `xml:"name,attr"`
	Tests     int    `xml:"tests,attr"`
	Failures  int    `xml:"failures,attr"`
	Skipped   int    `xml:"skipped,attr"`
	Time      string `xml:"time,attr"`
	Timestamp string `xml:"timestamp,attr,omitempty"`
	Cases     []Case `xml:"testcase"`
}

// Case is one <testcase>.
type Case struct {
	ClassName string   `xml:"classname,attr"`
	Name      string   `xml:"name,attr"`
	Time      string   `xml:"time,attr"`
	Failure   *Failure `xml:"failure,omitempty"`
	Skipped   *Skipped `xml:"skipped,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

// Failure is a <failure>: Message is the main reason, Text every unmet one.
type Failure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Skipped is a <skipped>.
type Skipped struct {
	Message string `xml:"message,attr"`
}

// Build turns a run into the JUnit document.
func Build(r *results.Run) Suites {
	doc := Suites{Name: "soaklab " + r.ID}
	cells := Suite{Name: "soaklab cells " + r.ID}
	if !r.Started.IsZero() {
		cells.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
	}
	total := 0.0
	for i := range r.Cells {
		c := &r.Cells[i]
		secs := 0.0
		if !c.Started.IsZero() && c.Ended.After(c.Started) {
			secs = c.Ended.Sub(c.Started).Seconds()
		}
		total += secs
		tc := judged(c.Target, c.ID, c.Verdict, c.Reasons)
		tc.Time = fmt.Sprintf("%.3f", secs)
		tc.SystemOut = strings.TrimSpace(fmt.Sprintf("verdict %s, outcome %s, peak %s\n%s",
			view.VerdictLabel(c.Verdict), c.Outcome, view.PeakText(c), tc.SystemOut))
		cells.add(tc)
	}
	cells.Time = fmt.Sprintf("%.3f", total)
	doc.Suites = append(doc.Suites, cells)
	if len(r.Comparisons) > 0 {
		comps := Suite{Name: "soaklab comparisons " + r.ID, Time: "0.000"}
		for i := range r.Comparisons {
			c := &r.Comparisons[i]
			tc := judged("comparison", c.Name, c.Verdict, c.Reasons)
			tc.Time = "0.000"
			var b strings.Builder
			fmt.Fprintf(&b, "verdict %s: A = %s, B = %s\n", view.VerdictLabel(c.Verdict), c.Baseline, c.Candidate)
			for _, row := range c.Rows {
				d, ci := view.Delta(row)
				fmt.Fprintf(&b, "%s: %s -> %s, delta %s %s, p=%.3g, n=%d/%d\n", row.Measure, view.Num(row.A), view.Num(row.B), d, ci, row.P, row.NA, row.NB)
			}
			tc.SystemOut = strings.TrimSpace(b.String() + "\n" + tc.SystemOut)
			comps.add(tc)
		}
		doc.Suites = append(doc.Suites, comps)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	doc.Time = fmt.Sprintf("%.3f", total)
	return doc
}

func (s *Suite) add(c Case) {
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	if c.Skipped != nil {
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// judged makes the test case of one verdict with its reasons.
func judged(class, name string, v results.Verdict, reasons []results.Reason) Case {
	tc := Case{ClassName: class, Name: name}
	var lines []string
	for _, r := range view.UnmetReasons(reasons) {
		lines = append(lines, fmt.Sprintf("%s %s", r.Status, view.ReasonText(r)))
	}
	text := strings.Join(lines, "\n")
	switch v {
	case results.NOGO:
		tc.Failure = &Failure{Message: view.MainReasonText(reasons), Type: "NO-GO", Text: text}
	case results.NEUTRAL:
		tc.SystemOut = text
	case results.GO:
	default:
		tc.Skipped = &Skipped{Message: "not judged"}
	}
	return tc
}

// Write writes the JUnit XML of r to w.
func Write(w io.Writer, r *results.Run) error {
	data, err := xml.MarshalIndent(Build(r), "", "  ")
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	data = append(data, '\n')
	_, err = w.Write(data)
	return err
}
