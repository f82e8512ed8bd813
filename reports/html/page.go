package html

import (
	"fmt"
	"html/template"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/plot"
	"github.com/soaklab/soaklab/reports/view"
)

// page is what the template renders.
type page struct {
	Run         *results.Run
	Now         string
	Counts      results.Counts
	Outcomes    string
	Score       []scoreItem
	Common      string // the axes every cell shares, shown once
	Safe        []view.SafeRow
	SafeOthers  bool
	Comparisons []compView
	Cells       []cellView
	Warnings    []string
	CSS         template.CSS
	Pages       []Page
	Page        Page // the current page, when split
	UPlotCSS    template.CSS
	Script      template.JS // uPlot and the page's own script
}

type scoreItem struct {
	ID, Anchor, Target string
	Short              string // target and the axes that vary
	Next               string // what to do next, for a NO-GO
	Href               template.URL
	Label, Class       string
	Reason             string
	Outcome            results.Outcome
	Peak               string
}

type compView struct {
	C            *results.Comparison
	Label, Class string
	Rows         []rowView
	Gates        []gateView
}

// gateView is one row of a comparison's scorecard.
type gateView struct {
	Status                           results.Status
	Kind                             string // hard or soft
	Criterion, Value, Limit, Message string
}

type rowView struct {
	Measure, Unit, A, B, N, Delta, P, Interval string
	Detected                                   bool
}

type kv struct{ Key, Value string }

type cellView struct {
	C            *results.Cell
	Anchor       string
	Label, Class string
	Config       []kv
	Analysis     []view.Group // named rows by criterion
	Raw          []kv         // the stored keys and values
	Next         string
	Charts       []Chart
	Omitted      []string // scraped metrics not plotted
	Live         template.JS
	Reasons      []results.Reason
}

func buildPage(in Input, opts []plot.Option) page {
	r := in.Run
	maxMetrics := in.MaxMetrics
	if maxMetrics <= 0 {
		maxMetrics = DefaultMaxMetrics
	}
	p := page{Run: r, Now: in.Now.UTC().Format(time.RFC3339), Warnings: slices.Clone(in.Warnings), CSS: template.CSS(styleCSS),
		UPlotCSS: template.CSS(uplotCSS), Script: template.JS(uplotJS + "\n" + reportJS)} //nolint:gosec // embedded at build time
	varying, common := view.Axes(r.Cells)
	p.Common = common
	outcomes := map[results.Outcome]int{}
	var order []results.Outcome
	for i := range r.Cells {
		c := &r.Cells[i]
		p.Counts.Cells++
		switch c.Verdict {
		case results.GO:
			p.Counts.GO++
		case results.NEUTRAL:
			p.Counts.NEUTRAL++
		case results.NOGO:
			p.Counts.NOGO++
		default:
			p.Counts.Pending++
		}
		if outcomes[c.Outcome] == 0 {
			order = append(order, c.Outcome)
		}
		outcomes[c.Outcome]++
		p.Score = append(p.Score, scoreItem{
			ID: c.ID, Anchor: view.Anchor(c.ID), Target: c.Target,
			Href:  template.URL("#" + view.Anchor(c.ID)), //nolint:gosec // CellDir keeps only URL-safe characters.
			Label: view.VerdictLabel(c.Verdict), Class: view.VerdictClass(c.Verdict),
			Reason: view.MainReasonText(c.Reasons), Outcome: c.Outcome, Peak: view.PeakText(c),
			Short: view.ShortID(c, varying), Next: view.NextStep(c),
		})
		p.Cells = append(p.Cells, cellView{
			C: c, Anchor: view.Anchor(c.ID),
			Label: view.VerdictLabel(c.Verdict), Class: view.VerdictClass(c.Verdict),
			Config: cellConfig(c), Analysis: view.AnalysisGroups(c.Analysis, c.RAMLimit), Raw: analysisRows(c.Analysis),
			Reasons: c.Reasons, Next: view.NextStep(c),
		})
	}
	// Each cell's samples are loaded and drawn by one of a few workers, so
	// that at most that many cells' series are in memory at once.
	workers := in.Workers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), DefaultWorkers)
	}
	warns := make([][]string, len(r.Cells))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(r.Cells), 1)) {
		wg.Go(func() {
			for i := range next {
				c := &r.Cells[i]
				cs, err := in.chartSeries(c)
				if err != nil {
					warns[i] = append(warns[i], fmt.Sprintf("cell %s: %v", c.ID, err))
				}
				cv := &p.Cells[i]
				cv.Charts, cv.Omitted, cv.Live = drawCell(c, cs, opts, maxMetrics, in.LiveBuckets)
				if in.Chart != nil {
					for _, ch := range cv.Charts {
						if ch.SVG != "" {
							in.Chart(c, ch.Title, []byte(ch.SVG))
						}
					}
				}
				if cv.Live == "" && len(cv.Charts) > 0 {
					warns[i] = append(warns[i], fmt.Sprintf("cell %s: interactive charts left out", c.ID))
				}
			}
		})
	}
	for i := range r.Cells {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, w := range warns {
		p.Warnings = append(p.Warnings, w...)
	}
	var parts []string
	for _, o := range order {
		name := string(o)
		if name == "" {
			name = "not run"
		}
		parts = append(parts, fmt.Sprintf("%s %d", name, outcomes[o]))
	}
	p.Outcomes = strings.Join(parts, ", ")
	if in.Totals != nil {
		p.Counts = *in.Totals
	}
	p.Pages = in.Pages
	for _, pg := range in.Pages {
		if pg.Current {
			p.Page = pg
		}
	}
	p.Safe = view.SafeConfigs(r.Cells)
	for _, s := range p.Safe {
		p.SafeOthers = p.SafeOthers || s.Others != ""
	}
	for i := range r.Comparisons {
		p.Comparisons = append(p.Comparisons, comparison(&r.Comparisons[i]))
	}
	return p
}

func comparison(c *results.Comparison) compView {
	v := compView{C: c, Label: view.VerdictLabel(c.Verdict), Class: view.VerdictClass(c.Verdict)}
	for _, r := range c.Rows {
		rv := rowView{
			Measure: r.Measure, Unit: r.Unit, A: view.Num(r.A), B: view.Num(r.B),
			N: fmt.Sprintf("%d / %d", r.NA, r.NB), P: fmt.Sprintf("%.3g", r.P), Detected: r.Detected,
		}
		rv.Delta, rv.Interval = view.Delta(r)
		v.Rows = append(v.Rows, rv)
	}
	for _, r := range c.Reasons {
		g := gateView{Status: r.Status, Kind: "soft", Criterion: r.Criterion, Message: r.Message}
		if r.Hard {
			g.Kind = "hard"
		}
		g.Value, g.Limit = view.GateFigures(r)
		v.Gates = append(v.Gates, g)
	}
	return v
}

func cellConfig(c *results.Cell) []kv {
	out := []kv{{"target", c.Target + " (" + c.Kind + ")"}}
	for _, k := range view.SortedKeys(c.Axes) {
		out = append(out, kv{"axis " + k, c.Axes[k]})
	}
	if c.Repeat > 0 {
		out = append(out, kv{"repeat", fmt.Sprint(c.Repeat)})
	}
	out = append(out,
		kv{"backend", c.Backend},
		kv{"enforcement", c.Enforcement},
		kv{"memory limit", view.Bytes(c.RAMLimit)},
		kv{"duration", view.Seconds(c.Duration) + " (warm-up " + view.Seconds(c.Warmup) + ", every " + view.Num(c.Interval) + " s)"},
		kv{"started", fmtTime(c.Started)},
		kv{"ended", fmtTime(c.Ended)},
		kv{"outcome", string(c.Outcome)},
	)
	if c.Detail != "" {
		out = append(out, kv{"detail", c.Detail})
	}
	if c.ExitCode != 0 || c.Signal != "" {
		out = append(out, kv{"exit", fmt.Sprintf("code %d %s", c.ExitCode, c.Signal)})
	}
	out = append(out,
		kv{"OOM kills", fmt.Sprint(c.OOMKills)},
		kv{"peak RSS", view.Bytes(c.PeakRSS)},
		kv{"peak cgroup", view.Bytes(c.PeakCgroup)},
		kv{"samples", fmt.Sprint(c.Samples)},
	)
	return out
}

func analysisRows(a *results.Analysis) []kv {
	var out []kv
	for _, f := range view.AnalysisFields(a) {
		out = append(out, kv{f.Key, f.Value})
	}
	return out
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

var funcs = template.FuncMap{
	"bytes":   view.Bytes,
	"num":     view.Num,
	"secs":    view.Seconds,
	"time":    fmtTime,
	"lower":   strings.ToLower,
	"class":   func(s results.Status) string { return strings.ToLower(string(s)) },
	"reasonv": func(r results.Reason) string { return view.ReasonValue(r) },
	"wbr":     wbr,
}

// wbr escapes a cell id and lets the browser break the line after each "/"
// and ",", so long ids wrap between axes instead of inside a value.
func wbr(id string) template.HTML {
	esc := template.HTMLEscapeString(id)
	esc = strings.ReplaceAll(esc, ",", ",<wbr>")
	esc = strings.ReplaceAll(esc, "/", "/<wbr>")
	return template.HTML(esc) //nolint:gosec // escaped above; only <wbr> added.
}

// drawCell draws a cell's charts as SVG and encodes them for the
// interactive page.
func drawCell(c *results.Cell, cs *results.ChartSeries, opts []plot.Option, maxMetrics, liveBuckets int) (charts []Chart, omitted []string, live template.JS) {
	specs, omitted := cellCharts(c, cs, maxMetrics)
	var drawn []plot.Chart
	for _, sp := range specs {
		svg, err := plot.SVG(sp, opts...)
		ch := Chart{Title: sp.Title, Metric: sp.Metric, SVG: template.HTML(svg), Live: len(drawn)} //nolint:gosec // SVG from gonum, text escaped by plot.
		if err != nil {
			ch = Chart{Title: sp.Title, Err: err.Error(), Live: -1}
		} else {
			drawn = append(drawn, sp)
		}
		charts = append(charts, ch)
	}
	if len(drawn) == 0 {
		return charts, omitted, ""
	}
	live, err := liveData(drawn, cs.X, liveBuckets, c.Started)
	if err != nil {
		return charts, omitted, ""
	}
	return charts, omitted, live
}
