// Package render re-renders a soaklab run from its results directory alone:
// it reads run.json and every cell's chart series (a reduction of its
// samples cached beside them, rebuilt from the samples when missing or out
// of date) and writes the HTML report (report/index.html), junit.xml and
// summary.md beside them. It never starts a process and never changes
// run.json.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/downsample"
	"github.com/soaklab/soaklab/reports/html"
	"github.com/soaklab/soaklab/reports/junit"
	"github.com/soaklab/soaklab/reports/summary"
)

// Output file names, relative to the run directory.
const (
	ReportFile  = "report/index.html"
	JUnitFile   = "junit.xml"
	SummaryFile = "summary.md"
	// ChartsDir holds the memory charts of the cells not GO, as SVG files
	// summary.md shows.
	ChartsDir = "report/charts"
)

// DefaultMaxPoints is how many points a plotted series keeps at most: long
// series are downsampled by min/max per bucket to this many.
const DefaultMaxPoints = 2 * downsample.DefaultBuckets

// Output says what Run wrote.
type Output struct {
	Report, JUnit, Summary string // absolute-or-as-given paths of the files
	ReportBytes            int64  // size of index.html
	Cells                  int
	Warnings               []string // samples that could not be read, shown in the report too
}

type config struct {
	now       func() time.Time
	maxPoints int
	link      string
}

// Option sets a knob of Run.
type Option func(*config)

// Clock sets where the generation time comes from (time.Now by default).
func Clock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Now fixes the generation time, for reproducible output.
func Now(t time.Time) Option { return Clock(func() time.Time { return t }) }

// MaxPoints sets how many points a plotted series keeps at most
// (DefaultMaxPoints by default).
func MaxPoints(n int) Option { return func(c *config) { c.maxPoints = n } }

// ReportLink sets how summary.md points at the report (by default its path
// relative to the run directory, "report/index.html").
func ReportLink(s string) Option { return func(c *config) { c.link = s } }

// Run renders the run in runDir.
func Run(runDir string, opts ...Option) (Output, error) {
	cfg := config{now: time.Now, maxPoints: DefaultMaxPoints, link: ReportFile}
	for _, o := range opts {
		o(&cfg)
	}
	r, err := Load(runDir)
	if err != nil {
		return Output{}, err
	}
	out := Output{
		Report:  filepath.Join(runDir, ReportFile),
		JUnit:   filepath.Join(runDir, JUnitFile),
		Summary: filepath.Join(runDir, SummaryFile),
		Cells:   len(r.Cells),
	}
	// Each cell's chart series is read as its section is built: the one
	// cached beside its samples when it is up to date, else one built from
	// the samples (read whole, then dropped) and cached for next time.
	in := html.Input{Run: r, Now: cfg.now(), Buckets: max(1, cfg.maxPoints/2)}
	var mu sync.Mutex // SeriesOf runs on several cells at once
	in.SeriesOf = func(c *results.Cell) (*results.ChartSeries, error) {
		s, _, err := ChartSeries(SamplesPath(runDir, c), in.LiveBuckets)
		if err != nil {
			mu.Lock()
			out.Warnings = append(out.Warnings, fmt.Sprintf("cell %s: %v", c.ID, err))
			mu.Unlock()
		}
		return s, err
	}

	// The memory chart of every cell not GO is written beside the report
	// for summary.md to show.
	charts := map[string]string{}
	in.Chart = func(c *results.Cell, title string, svg []byte) {
		if c.Verdict == results.GO || title != html.MemoryTitle {
			return
		}
		rel := filepath.Join(ChartsDir, results.CellDir(c.ID)+"-memory.svg")
		path := filepath.Join(runDir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil && results.WriteFile(path, svg) == nil {
			mu.Lock()
			charts[c.ID] = filepath.ToSlash(rel)
			mu.Unlock()
		}
	}

	if err := os.MkdirAll(filepath.Dir(out.Report), 0o755); err != nil {
		return out, err
	}
	if err := writePages(out.Report, in, &out); err != nil {
		return out, err
	}

	var j bytes.Buffer
	if err := junit.Write(&j, r); err != nil {
		return out, err
	}
	if err := results.WriteFile(out.JUnit, j.Bytes()); err != nil {
		return out, err
	}
	var md bytes.Buffer
	if err := summary.Write(&md, r, cfg.link, summary.MemoryChart(func(id string) string { return charts[id] })); err != nil {
		return out, err
	}
	if err := results.WriteFile(out.Summary, md.Bytes()); err != nil {
		return out, err
	}
	return out, nil
}

// CellsPerPage is how many cells one page of the HTML report holds: a
// larger run is split into index.html (the first cells and the
// comparisons), index-2.html, ..., each linking the others, so no page
// grows with the run (a page of 100,000 cells was 190 MB).
const CellsPerPage = 500

// writePages renders the report at path, split in pages of CellsPerPage
// cells when the run has more.
func writePages(path string, in html.Input, out *Output) error {
	r := in.Run
	if len(r.Cells) <= CellsPerPage {
		var page bytes.Buffer
		if err := html.Render(&page, in); err != nil {
			return err
		}
		out.ReportBytes = int64(page.Len())
		return results.WriteFile(path, page.Bytes())
	}
	var totals results.Counts
	for i := range r.Cells {
		totals.Cells++
		switch r.Cells[i].Verdict {
		case results.GO:
			totals.GO++
		case results.NEUTRAL:
			totals.NEUTRAL++
		case results.NOGO:
			totals.NOGO++
		default:
			totals.Pending++
		}
	}
	var pages []html.Page
	for first := 0; first < len(r.Cells); first += CellsPerPage {
		n := len(pages) + 1
		href := "index.html"
		if n > 1 {
			href = fmt.Sprintf("index-%d.html", n)
		}
		pages = append(pages, html.Page{N: n, Href: href, First: first + 1, Last: min(first+CellsPerPage, len(r.Cells))})
	}
	for i, pg := range pages {
		sub := *r
		sub.Cells = r.Cells[pg.First-1 : pg.Last]
		if i > 0 {
			sub.Comparisons = nil // on the first page
		}
		pin := in
		pin.Run, pin.Totals = &sub, &totals
		pin.Pages = append([]html.Page(nil), pages...)
		pin.Pages[i].Current = true
		var page bytes.Buffer
		if err := html.Render(&page, pin); err != nil {
			return err
		}
		if i == 0 {
			out.ReportBytes = int64(page.Len())
		}
		if err := results.WriteFile(filepath.Join(filepath.Dir(path), pg.Href), page.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// SamplesPath is where a cell's samples are: its Dir, or the directory named
// after its id when Dir is empty.
func SamplesPath(runDir string, c *results.Cell) string {
	dir := c.Dir
	if dir == "" {
		dir = filepath.Join(results.CellsDir, results.CellDir(c.ID))
	}
	if !filepath.IsAbs(dir) && filepath.Dir(dir) == "." {
		dir = filepath.Join(results.CellsDir, dir)
	}
	return filepath.Join(runDir, dir, results.SamplesFile)
}

// Load reads run.json. When it lists no cells (a run still being written,
// or one whose manifest was not updated), the cells are read from their
// result.json files instead, in directory order.
func Load(runDir string) (*results.Run, error) {
	r, err := results.ReadRun(runDir)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	if len(r.Cells) > 0 {
		return r, nil
	}
	entries, err := os.ReadDir(filepath.Join(runDir, results.CellsDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("render: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := results.ReadCell(filepath.Join(runDir, results.CellsDir, e.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		if c.Dir == "" {
			c.Dir = filepath.Join(results.CellsDir, e.Name())
		}
		r.Cells = append(r.Cells, *c)
	}
	return r, nil
}
