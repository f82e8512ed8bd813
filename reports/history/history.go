// Package history renders trends across soaklab runs: for every cell id, its
// peak memory, judged memory slope, p99 latency and throughput run after
// run, ordered by when each run started, with the nights each of them
// changed level found by change-point detection (reports/changepoint) and
// marked on the page and in a Markdown summary.
package history

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/changepoint"
	"github.com/soaklab/soaklab/reports/html"
	"github.com/soaklab/soaklab/reports/plot"
	"github.com/soaklab/soaklab/reports/view"
)

// Files Render writes under outDir.
const (
	File        = "index.html"
	SummaryFile = "summary.md"
)

// ErrNoRuns is returned when resultsDir holds no run.
var ErrNoRuns = errors.New("no run.json under results directory")

type config struct {
	now    func() time.Time
	detect changepoint.Options
}

// Option sets a knob of Render.
type Option func(*config)

// Now fixes the generation time printed on the page, for reproducible output.
func Now(t time.Time) Option { return func(c *config) { c.now = func() time.Time { return t } } }

// Detect sets how changes are found (changepoint.DefaultOptions by default).
func Detect(o changepoint.Options) Option { return func(c *config) { c.detect = o } }

// Point is one cell of one run.
type Point struct {
	Run     string
	Dir     string // the run's directory
	Started time.Time
	Verdict results.Verdict
	Peak    float64 // bytes
	Slope   float64 // MiB/h; NaN when not computed
	P99     float64 // ms; NaN when not measured
	RPS     float64 // achieved requests/s; NaN when not measured
}

// Scan reads every run under resultsDir (each direct subdirectory with a
// run.json) and returns each cell id's points ordered by run start, and the
// runs read in that order. Unreadable runs are skipped and reported as
// warnings.
func Scan(resultsDir string) (map[string][]Point, []*results.Run, []error, error) {
	entries, err := os.ReadDir(resultsDir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("history: %w", err)
	}
	var runs []*results.Run
	dirs := map[*results.Run]string{}
	var warns []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(resultsDir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, results.RunFile)); err != nil {
			continue
		}
		r, err := results.ReadRun(dir)
		if err != nil {
			warns = append(warns, err)
			continue
		}
		runs = append(runs, r)
		dirs[r] = dir
	}
	if len(runs) == 0 {
		return nil, nil, warns, fmt.Errorf("%w: %s", ErrNoRuns, resultsDir)
	}
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].Started.Equal(runs[j].Started) {
			return runs[i].Started.Before(runs[j].Started)
		}
		return runs[i].ID < runs[j].ID
	})
	cells := map[string][]Point{}
	for _, r := range runs {
		for i := range r.Cells {
			c := &r.Cells[i]
			p := Point{Run: r.ID, Dir: dirs[r], Started: r.Started, Verdict: c.Verdict, Peak: float64(view.Peak(c)), Slope: nan(), P99: nan(), RPS: nan()}
			if c.Load != nil && c.Load.AchievedRPS > 0 {
				p.RPS = c.Load.AchievedRPS
			}
			if a := c.Analysis; a != nil && a.Fit != nil {
				p.Slope = a.Fit.SlopeMiBPerH
			}
			if a := c.Analysis; a != nil && a.Load != nil && a.Load.P99Ms != nil {
				p.P99 = *a.Load.P99Ms
			} else if c.Load != nil && c.Load.Corrected != nil {
				p.P99 = c.Load.Corrected.P99
			}
			cells[c.ID] = append(cells[c.ID], p)
		}
	}
	return cells, runs, warns, nil
}

func nan() float64 { return math.NaN() }

//go:embed history.tmpl
var pageTmpl string

// historyJS draws each plot with uPlot (inlined before it): drag to zoom
// into a stretch of nights, double-click to zoom out, hover for a night's
// date and value, click a night to open its report. Without script the
// SVG plots stay.
//
//go:embed history.js
var historyJS string

var uplotJS, uplotCSS = html.UPlot()

var tmpl = template.Must(template.New("history").Funcs(template.FuncMap{
	"num":    view.Num,
	"anchor": view.Anchor,
	"pct":    func(r float64) string { return fmt.Sprintf("%+.1f %%", 100*r) },
	"plural": plural,
}).Parse(pageTmpl))

type chart struct {
	Title string
	SVG   template.HTML
	Data  template.JS // the interactive chart's data (liveChart as JSON)
}

// liveChart is what the page's script (history.js) draws with uPlot: one
// metric of one cell across nights, X in Unix seconds, null where a night
// has no value, each night's report link, and the changes found.
type liveChart struct {
	Title string     `json:"title"`
	Unit  string     `json:"unit"`
	X     []float64  `json:"x"`
	Y     []*float64 `json:"y"`
	Links []string   `json:"links"`
	Marks []liveMark `json:"marks,omitempty"`
}

type liveMark struct {
	I     int    `json:"i"` // the night
	Label string `json:"label"`
}

// liveJSON encodes a chart of one metric across nights for history.js.
func liveJSON(title, unit string, xs, ys []float64, links []string, marks []plot.Mark) (template.JS, error) {
	lc := liveChart{Title: title, Unit: unit, X: xs, Y: make([]*float64, len(ys)), Links: links}
	for i, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			lc.Y[i] = &ys[i]
		}
	}
	for _, m := range marks {
		for i, x := range xs {
			if x == m.X {
				lc.Marks = append(lc.Marks, liveMark{I: i, Label: m.Label})
				break
			}
		}
	}
	b, err := json.Marshal(lc)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil //nolint:gosec // JSON from json.Marshal, which escapes <, > and &.
}

// Change is one change found in one cell's metric across runs.
type Change struct {
	Cell, Metric, Unit string
	// Run is the first run of the new level; Link its report, relative to
	// the history page.
	Run     string
	Started time.Time
	Link    string
	changepoint.Change
}

type nightView struct {
	Date, Run, Link, Verdict, Class string
	Values                          []string
	Changed                         bool
}

type cellView struct {
	ID      string
	Anchor  string
	Last    string
	Class   string
	Charts  []chart
	Changes []Change
	Nights  []nightView
}

// metric is one measure followed across runs.
type metric struct {
	title, unit string
	get         func(Point) float64
}

var metrics = []metric{
	{"peak memory", "MiB", func(p Point) float64 { return p.Peak / (1 << 20) }},
	{"judged memory slope", "MiB/h", func(p Point) float64 { return p.Slope }},
	{"p99 latency (corrected)", "ms", func(p Point) float64 { return p.P99 }},
	{"throughput", "requests/s", func(p Point) float64 { return p.RPS }},
}

// Render scans resultsDir and writes outDir/index.html, a self-contained
// page with, per cell id, plots of each metric across runs with the changes
// found marked, and outDir/summary.md listing the changes.
func Render(resultsDir, outDir string, opts ...Option) error {
	cfg := config{now: time.Now, detect: changepoint.DefaultOptions}
	for _, o := range opts {
		o(&cfg)
	}
	cells, runs, warns, err := Scan(resultsDir)
	if err != nil {
		return err
	}
	// Each night links to its report, relative to the page so the pair
	// can be moved together (absolute when they share no root).
	absOut, _ := filepath.Abs(outDir)
	link := func(p Point) string {
		target, err := filepath.Abs(filepath.Join(p.Dir, "report", "index.html"))
		if err != nil {
			return ""
		}
		if rel, err := filepath.Rel(absOut, target); err == nil {
			return filepath.ToSlash(rel)
		}
		return "file://" + filepath.ToSlash(target)
	}
	var views []cellView
	var all []Change
	for _, id := range view.SortedKeys(cells) {
		pts := cells[id]
		last := pts[len(pts)-1]
		cv := cellView{ID: id, Anchor: view.Anchor(id), Last: view.VerdictLabel(last.Verdict), Class: view.VerdictClass(last.Verdict)}
		changed := map[int]bool{}
		for _, m := range metrics {
			xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
			for i, p := range pts {
				xs[i], ys[i] = float64(p.Started.Unix()), m.get(p)
			}
			links, tips := make([]string, len(pts)), make([]string, len(pts))
			for i, p := range pts {
				links[i] = link(p)
				tips[i] = fmt.Sprintf("%s %s: %s %s, %s", p.Started.UTC().Format("2006-01-02"), p.Run, view.Num(ys[i]), m.unit, view.VerdictLabel(p.Verdict))
			}
			ch := plot.Chart{
				Title: m.title, Label: id + ": " + m.title, YLabel: m.unit, Dates: true,
				Series: []plot.Series{{Name: m.title, X: xs, Y: ys, Points: true, Links: links, Tips: tips}},
			}
			for _, c := range changepoint.Detect(ys, cfg.detect) {
				p := pts[c.Index]
				chg := Change{Cell: id, Metric: m.title, Unit: m.unit, Run: p.Run, Started: p.Started, Link: link(p), Change: c}
				cv.Changes = append(cv.Changes, chg)
				changed[c.Index] = true
				ch.Marks = append(ch.Marks, plot.Mark{Label: fmt.Sprintf("%+.0f%% from %s", 100*c.Rel, p.Started.UTC().Format("Jan 2")), X: xs[c.Index], Y: ys[c.Index], Color: plot.Red})
			}
			svg, err := plot.SVG(ch, plot.Size(420, 200))
			if errors.Is(err, plot.ErrEmpty) {
				continue
			}
			if err != nil {
				return err
			}
			data, err := liveJSON(m.title, m.unit, xs, ys, links, ch.Marks)
			if err != nil {
				return err
			}
			cv.Charts = append(cv.Charts, chart{Title: m.title, SVG: template.HTML(svg), Data: data}) //nolint:gosec // plot escapes text.
		}
		for i := len(pts) - 1; i >= 0; i-- {
			p := pts[i]
			nv := nightView{Date: p.Started.UTC().Format("2006-01-02 15:04"), Run: p.Run, Link: link(p),
				Verdict: view.VerdictLabel(p.Verdict), Class: view.VerdictClass(p.Verdict), Changed: changed[i]}
			for _, m := range metrics {
				v := m.get(p)
				if math.IsNaN(v) {
					nv.Values = append(nv.Values, "—")
				} else {
					nv.Values = append(nv.Values, view.Num(v))
				}
			}
			cv.Nights = append(cv.Nights, nv)
		}
		all = append(all, cv.Changes...)
		views = append(views, cv)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Started.After(all[j].Started) })
	var ws []string
	for _, w := range warns {
		ws = append(ws, w.Error())
	}
	var metricNames []string
	for _, m := range metrics {
		metricNames = append(metricNames, m.title+" ("+m.unit+")")
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, map[string]any{
		"Dir": resultsDir, "Runs": runs, "Cells": views, "Warnings": ws, "Changes": all, "Metrics": metricNames,
		"Alpha": cfg.detect.Alpha, "MinMagnitude": 100 * cfg.detect.MinMagnitude, "MinSize": cfg.detect.MinSize,
		"Now":      cfg.now().UTC().Format(time.RFC3339),
		"UPlotCSS": template.CSS(uplotCSS), "Script": template.JS(uplotJS + "\n" + historyJS), //nolint:gosec // embedded at build time
	})
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	if err := results.WriteFile(filepath.Join(outDir, File), buf.Bytes()); err != nil {
		return err
	}
	return results.WriteFile(filepath.Join(outDir, SummaryFile), summaryMD(all, len(runs)))
}

// summaryMD lists the changes found, newest first, for a CI job summary.
func summaryMD(changes []Change, runs int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "## soaklab history: %s\n\n", plural(runs, "run"))
	if len(changes) == 0 {
		b.WriteString("No change found in any cell's peak memory, judged slope, p99 latency or throughput.\n")
		return b.Bytes()
	}
	b.WriteString("| first night | cell | metric | before | after | change | p |\n| --- | --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, c := range changes {
		night := c.Started.UTC().Format("2006-01-02")
		if c.Link != "" {
			night = "[" + night + "](" + c.Link + ")"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s %s | %s %s | %+.1f%% | %.3g |\n", night, strings.ReplaceAll(c.Cell, "|", "\\|"), c.Metric,
			view.Num(c.Before), c.Unit, view.Num(c.After), c.Unit, 100*c.Rel, c.P)
	}
	return b.Bytes()
}

// plural spells a count with its noun: "1 run", "3 runs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
