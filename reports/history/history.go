// Package history renders trends across soaklab runs: for every cell id, its
// peak memory, memory slope and p99 latency run after run, ordered by when
// each run started, so a nightly regression shows as a step.
package history

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/plot"
	"github.com/soaklab/soaklab/reports/view"
)

// File is the page Render writes under outDir.
const File = "index.html"

// ErrNoRuns is returned when resultsDir holds no run.
var ErrNoRuns = errors.New("no run.json under results directory")

type config struct{ now func() time.Time }

// Option sets a knob of Render.
type Option func(*config)

// Now fixes the generation time printed on the page, for reproducible output.
func Now(t time.Time) Option { return func(c *config) { c.now = func() time.Time { return t } } }

// Point is one cell of one run.
type Point struct {
	Run     string
	Started time.Time
	Verdict results.Verdict
	Peak    float64 // bytes
	Slope   float64 // MiB/h; NaN when not computed
	P99     float64 // ms; NaN when not measured
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
			p := Point{Run: r.ID, Started: r.Started, Verdict: c.Verdict, Peak: float64(view.Peak(c)), Slope: nan(), P99: nan()}
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

var tmpl = template.Must(template.New("history").Parse(pageTmpl))

type chart struct {
	Title string
	SVG   template.HTML
}

type cellView struct {
	ID     string
	Last   string
	Class  string
	Charts []chart
}

// Render scans resultsDir and writes outDir/index.html: a self-contained page
// with, per cell id, plots of peak memory, slope and p99 across runs.
func Render(resultsDir, outDir string, opts ...Option) error {
	cfg := config{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	cells, runs, warns, err := Scan(resultsDir)
	if err != nil {
		return err
	}
	first := runs[0].Started
	var views []cellView
	for _, id := range view.SortedKeys(cells) {
		pts := cells[id]
		last := pts[len(pts)-1]
		cv := cellView{ID: id, Last: view.VerdictLabel(last.Verdict), Class: view.VerdictClass(last.Verdict)}
		for _, m := range []struct {
			title, unit string
			get         func(Point) float64
		}{
			{"peak memory", "MiB", func(p Point) float64 { return p.Peak / (1 << 20) }},
			{"memory slope", "MiB/h", func(p Point) float64 { return p.Slope }},
			{"p99 latency (corrected)", "ms", func(p Point) float64 { return p.P99 }},
		} {
			xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
			for i, p := range pts {
				xs[i], ys[i] = p.Started.Sub(first).Hours()/24, m.get(p)
			}
			svg, err := plot.SVG(plot.Chart{
				Title: m.title, Label: id + ": " + m.title, YLabel: m.unit,
				XLabel: "days since " + first.UTC().Format("2006-01-02 15:04"),
				Series: []plot.Series{{Name: m.title, X: xs, Y: ys, Points: true}},
			}, plot.Size(360, 180))
			if errors.Is(err, plot.ErrEmpty) {
				continue
			}
			if err != nil {
				return err
			}
			cv.Charts = append(cv.Charts, chart{Title: m.title, SVG: template.HTML(svg)}) //nolint:gosec // plot escapes text.
		}
		views = append(views, cv)
	}
	var ws []string
	for _, w := range warns {
		ws = append(ws, w.Error())
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, map[string]any{
		"Dir": resultsDir, "Runs": runs, "Cells": views, "Warnings": ws,
		"Now": cfg.now().UTC().Format(time.RFC3339),
	})
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	return results.WriteFile(filepath.Join(outDir, File), buf.Bytes())
}
