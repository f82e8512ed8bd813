// Package html renders a soaklab run as one self-contained HTML page: the
// scorecard of every cell, the safe configurations, the comparisons, and a
// section per cell with its plots, reasons, configuration and outcome. The
// page needs no network and no script: styles and SVG plots are inline.
package html

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/plot"
)

// Input is everything a report is rendered from.
type Input struct {
	Run *results.Run
	// Samples are each cell's samples, by cell id. A cell with none gets no
	// plots.
	Samples map[string][]results.Sample
	// SamplesOf, when set, loads a cell's samples instead, as the page is
	// built, by Workers goroutines at once: only that many cells' series
	// are in memory at a time (a day at one sample a second is some 86,000
	// samples, tens of MB). It must be safe for concurrent use. A loading
	// error is shown at the top of the page with whatever samples were
	// read.
	SamplesOf func(*results.Cell) ([]results.Sample, error)
	// SeriesOf, when set, loads a cell's chart series (see
	// BuildChartSeries) instead of its samples: what the charts draw,
	// already reduced, so a day-long cell costs a few thousand rows. It
	// must return what BuildChartSeries(samples, LiveBuckets) would, and
	// be safe for concurrent use; an error is shown like SamplesOf's.
	SeriesOf func(*results.Cell) (*results.ChartSeries, error)
	// Chart, when set, is given every chart drawn, as SVG, with its cell and
	// title (for example to write the memory charts beside the report for
	// summary.md). It is called from several goroutines at once.
	Chart func(c *results.Cell, title string, svg []byte)
	// Workers is how many cells are loaded and drawn at once; 0 means
	// GOMAXPROCS, at most DefaultWorkers.
	Workers int
	// Now is printed as the generation time; fixed in golden tests.
	Now time.Time
	// Buckets is how far long series are downsampled (see downsample.MinMax);
	// 0 means downsample.DefaultBuckets.
	Buckets int
	// LiveBuckets is how far the interactive charts' series are
	// downsampled (see downsample.Columns); 0 means DefaultLiveBuckets.
	LiveBuckets int
	// MaxMetrics caps how many scraped metrics are plotted per cell, to keep
	// the page light when a target exposes many series; 0 means
	// DefaultMaxMetrics. The names of the others are listed.
	MaxMetrics int
	// Warnings are problems met while reading the run (a missing samples
	// file, a torn line); shown at the top of the page.
	Warnings []string
	// Pages, when the report is split, links every page of it; Run then
	// holds this page's cells only and Totals the whole run's counts.
	Pages  []Page
	Totals *results.Counts
}

// Page is one page of a report split in pages.
type Page struct {
	N           int    // 1-based
	Href        string // relative to the other pages
	First, Last int    // 1-based cell numbers on it
	Current     bool   // the page being rendered
}

// DefaultWorkers caps how many cells a report loads at once by default:
// a day of one-second samples holds tens of MB (80 MiB with nine scraped
// metrics) while its cell is drawn.
const DefaultWorkers = 4

// DefaultMaxMetrics is how many scraped metrics a cell's section plots
// unless Input.MaxMetrics says otherwise.
const DefaultMaxMetrics = 8

var nan = math.NaN()

//go:embed report.tmpl
var reportTmpl string

//go:embed style.css
var styleCSS string

//go:embed report.js
var reportJS string

// uPlot (MIT, github.com/leeoniya/uPlot), vendored at the version in
// assets/uplot.version by scripts/uplot/fetch.sh and inlined in every
// report: the page needs no network.
var (
	//go:embed assets/uPlot.iife.min.js
	uplotJS string
	//go:embed assets/uPlot.min.css
	uplotCSS string
)

var tmpl = template.Must(template.New("report").Funcs(funcs).Parse(reportTmpl))

// Render writes the report of in to w.
func Render(w io.Writer, in Input) error {
	if in.Run == nil {
		return fmt.Errorf("html: no run")
	}
	p := buildPage(in, []plot.Option{plot.Buckets(in.Buckets)})
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	// Whatever a target wrote that the template shows (crash details, log
	// lines, metric and symbol names) is escaped as markup by the
	// template; its control characters are escaped here, over the page.
	_, err := io.WriteString(w, results.PrintableLines(buf.String()))
	return err
}

// chartSeries is a cell's chart series: from SeriesOf, else built from its
// samples (SamplesOf, else Samples).
func (in *Input) chartSeries(c *results.Cell) (*results.ChartSeries, error) {
	if in.SeriesOf != nil {
		return in.SeriesOf(c)
	}
	samples := in.Samples[c.ID]
	var err error
	if in.SamplesOf != nil {
		samples, err = in.SamplesOf(c)
	}
	return BuildChartSeries(samples, in.LiveBuckets), err
}

// UPlot is the vendored uPlot library, its script and its styles, for
// other pages of soaklab (the history page) to inline as the report does.
func UPlot() (js, css string) { return uplotJS, uplotCSS }
