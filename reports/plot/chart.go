package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/soaklab/soaklab/reports/downsample"
)

// Default chart size, in points (1/72 inch). It reads on a laptop screen two
// charts side by side and prints on A4.
const (
	DefaultWidth  = 560
	DefaultHeight = 230
)

// ErrEmpty is returned for a chart with no drawable point.
var ErrEmpty = errors.New("chart has no data")

// Series is one line of a chart. X is seconds since the cell started when the
// chart is a time chart.
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool
	Thin   bool
	Points bool // mark every point too: for short series such as one value per run
	// Links, with Points, makes point i a link to Links[i] ("" for none)
	// with Tips[i] as its hover text: a night's point opens its report.
	Links, Tips []string
	Color       color.Color // nil picks from Palette in order
}

// HLine is a horizontal reference line, such as the memory limit. One far
// above the data (see OffScale) is not drawn: a note at the top of the plot
// names it, so the data keeps the chart's height.
type HLine struct {
	Name  string
	Y     float64
	Color color.Color
}

// Mark is a labelled event at (X, Y), such as the OOM kill.
type Mark struct {
	Label string
	X, Y  float64
	Color color.Color
}

// Chart is what SVG draws.
type Chart struct {
	Title string // shown above the plot, in words
	// Metric is the Prometheus name of what is drawn, shown beneath the
	// title; "" for charts of soaklab's own measurements.
	Metric string
	// Label is the accessible name of the SVG; Title when empty.
	Label  string
	YLabel string
	// Time says X is seconds since the cell started: the axis starts at 0
	// and is labelled in s, min or h by its span.
	Time bool
	// XMax extends the x axis to at least this value (the kill time of a
	// cell whose last sample came before it).
	XMax   float64
	XLabel string // used when !Time
	// Counts says y counts whole things (threads, goroutines): no tick
	// between two integers.
	Counts bool
	// Dates says X is Unix seconds: the axis is labelled with dates (UTC).
	Dates  bool
	Series []Series
	HLines []HLine
	Marks  []Mark
}

// Palette is the order series are coloured in when they name no colour:
// chosen to stay distinct for common colour blindness and in greyscale print.
var Palette = []color.Color{
	color.RGBA{0x1f, 0x5f, 0xa8, 0xff}, // blue
	color.RGBA{0xd9, 0x7b, 0x00, 0xff}, // orange
	color.RGBA{0x2e, 0x8b, 0x57, 0xff}, // green
	color.RGBA{0x7a, 0x3e, 0x9d, 0xff}, // purple
	color.RGBA{0x55, 0x55, 0x55, 0xff}, // grey
}

// Named colours for reference lines and marks.
var (
	Red  = color.RGBA{0xc0, 0x1c, 0x28, 0xff}
	Grey = color.RGBA{0x88, 0x88, 0x88, 0xff}
)

type config struct {
	w, h    float64
	buckets int
}

// Option sets a knob of SVG.
type Option func(*config)

// Size sets the chart size in points.
func Size(w, h float64) Option { return func(c *config) { c.w, c.h = w, h } }

// Buckets sets the downsampling of every series (see downsample.MinMax).
func Buckets(n int) Option { return func(c *config) { c.buckets = n } }

// OffScale is how far above the data's top a reference line may sit and
// still be drawn: a 256 MiB limit over data that peaks at 25 MiB would
// flatten the data into the bottom tenth of the chart.
const OffScale = 2.0

// Range is where a chart's axes run, shared by the SVG and the interactive
// chart so that both show the same thing.
type Range struct {
	XMin, XMax float64 // in seconds on a time chart
	YMin, YMax float64
	// Hidden are the reference lines above YMax, named in a note instead.
	Hidden []HLine
}

// Ranges computes c's axes: x over the data (from 0 on a time chart, to
// XMax at least); y from 0 (or the lowest value, when negative) to a clean
// step above the highest value, the marks and the reference lines within
// OffScale of the data. ok is false when c has no drawable point.
func (c Chart) Ranges() (r Range, ok bool) {
	r.XMin, r.XMax = math.Inf(1), math.Inf(-1)
	yLo, yHi := 0.0, math.Inf(-1)
	for _, s := range c.Series {
		for i := range min(len(s.X), len(s.Y)) {
			if math.IsNaN(s.Y[i]) {
				continue
			}
			r.XMin, r.XMax = min(r.XMin, s.X[i]), max(r.XMax, s.X[i])
			yLo, yHi = min(yLo, s.Y[i]), max(yHi, s.Y[i])
		}
	}
	if math.IsInf(r.XMin, 0) {
		return r, false
	}
	for _, m := range c.Marks {
		r.XMax, yHi = max(r.XMax, m.X), max(yHi, m.Y)
	}
	for _, h := range c.HLines {
		if h.Y <= OffScale*max(yHi, 0) || h.Y <= yLo {
			yHi = max(yHi, h.Y)
		} else {
			r.Hidden = append(r.Hidden, h)
		}
	}
	if c.Time {
		r.XMin = min(0, r.XMin)
		r.XMax = max(r.XMax, c.XMax, r.XMin+1)
	} else if r.XMax == r.XMin {
		r.XMin, r.XMax = r.XMin-1, r.XMax+1
	}
	if yHi <= yLo {
		yHi = yLo + 1
	}
	// A clean tick step above the top, with a little head room.
	top := yHi + 0.04*(yHi-yLo)
	step := Step(yLo, top, 10)
	if c.Counts {
		step = max(step, 1)
	}
	r.YMin = math.Floor(yLo/step+1e-9) * step
	r.YMax = math.Ceil(top/step-1e-9) * step
	return r, true
}

// SVG draws c as an <svg> element ready to inline in HTML: no XML prolog, with
// role="img" and an aria-label naming the chart. The legend sits to the right
// of the plot, outside it. The same chart always gives the same bytes.
func SVG(c Chart, opts ...Option) ([]byte, error) {
	cfg := config{w: DefaultWidth, h: DefaultHeight, buckets: downsample.DefaultBuckets}
	for _, o := range opts {
		o(&cfg)
	}
	rg, ok := c.Ranges()
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrEmpty, c.Title)
	}
	p := gplot.New()
	p.Title.Text = c.Title
	if c.Metric != "" {
		p.Title.Text += "\n" + c.Metric
	}
	// Reference lines far above the data are named under the title, not
	// drawn, so the data keeps the chart's height and nothing covers it.
	for _, h := range rg.Hidden {
		p.Title.Text += "\n↑ " + h.Name + " (above this scale)"
	}
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.Text = c.YLabel
	p.X.Label.Text = c.XLabel
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Legend.Padding = vg.Points(1.5)
	// Sans serif, as the page around the chart, also when the SVG is opened
	// on its own (summary.md's images).
	for _, st := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		st.Font.Typeface, st.Font.Variant = "Liberation", "Sans"
	}
	p.Add(plotter.NewGrid())
	p.Y.Tick.Marker = ticker{n: 5, counts: c.Counts}
	p.X.Tick.Marker = ticker{n: 6}

	if c.Dates {
		p.X.Tick.Marker = dateTicker{}
		// Half a day of margin so the first and last nights' points show.
		rg.XMin, rg.XMax = rg.XMin-43200, rg.XMax+43200
	}
	div := 1.0
	if c.Time {
		var unit string
		div, unit = TimeUnit(rg.XMax - rg.XMin)
		p.X.Label.Text = "time since start (" + unit + ")"
		p.X.Tick.Marker = ticker{n: 6, unit: unit}
	}
	var legend []string
	var glyphs []glyphLink // every circle glyph drawn, in drawing order
	for i, s := range c.Series {
		xs, ys := downsample.MinMax(s.X, s.Y, cfg.buckets)
		if len(xs) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(xs))
		for j := range xs {
			pts[j] = plotter.XY{X: xs[j] / div, Y: ys[j]}
		}
		col := s.Color
		if col == nil {
			col = Palette[i%len(Palette)]
		}
		var thumb gplot.Thumbnailer
		if len(pts) > 1 {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, fmt.Errorf("chart %q series %q: %w", c.Title, s.Name, err)
			}
			l.Color = col
			l.Width = vg.Points(1.2)
			if s.Thin {
				l.Width = vg.Points(0.7)
			}
			if s.Dashed {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			p.Add(l)
			thumb = l
		}
		// A lone point draws no line: mark it.
		if s.Points || len(pts) == 1 {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, fmt.Errorf("chart %q series %q: %w", c.Title, s.Name, err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
			p.Add(sc)
			glyphs = append(glyphs, pointLinks(s, len(xs))...)
			if thumb == nil {
				thumb = sc
			}
		}
		p.Legend.Add(s.Name, thumb)
		legend = append(legend, s.Name)
	}
	for _, h := range c.HLines {
		if slices.Contains(rg.Hidden, h) {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: rg.XMin / div, Y: h.Y}, {X: rg.XMax / div, Y: h.Y}})
		if err != nil {
			return nil, fmt.Errorf("chart %q line %q: %w", c.Title, h.Name, err)
		}
		l.Color = orRed(h.Color)
		l.Width = vg.Points(1)
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(h.Name, l)
		legend = append(legend, h.Name)
	}
	for _, m := range c.Marks {
		col := orRed(m.Color)
		sc, err := plotter.NewScatter(plotter.XYs{{X: m.X / div, Y: m.Y}})
		if err != nil {
			return nil, fmt.Errorf("chart %q mark %q: %w", c.Title, m.Label, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(5), Shape: draw.CrossGlyph{}}
		p.Add(sc)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: m.X / div, Y: m.Y}}, Labels: []string{m.Label}})
		if err != nil {
			return nil, fmt.Errorf("chart %q mark %q: %w", c.Title, m.Label, err)
		}
		lb.TextStyle[0].Color = col
		lb.TextStyle[0].Font.Typeface, lb.TextStyle[0].Font.Variant = "Liberation", "Sans"
		lb.TextStyle[0].XAlign = draw.XRight
		lb.TextStyle[0].YAlign = draw.YBottom
		lb.Offset = vg.Point{X: -vg.Points(7), Y: vg.Points(3)}
		p.Add(lb)
		p.Legend.Add(m.Label, sc)
		legend = append(legend, m.Label)
	}
	p.X.Min, p.X.Max = rg.XMin/div, rg.XMax/div
	p.Y.Min, p.Y.Max = rg.YMin, rg.YMax

	cv := vgsvg.New(vg.Points(cfg.w), vg.Points(cfg.h))
	dc := draw.New(cv)
	// One line needs no legend: the title names it.
	if len(legend) > 1 || len(c.HLines)+len(c.Marks) > 0 {
		var lw vg.Length
		for _, e := range legend {
			lw = max(lw, p.Legend.TextStyle.Width(e))
		}
		lw += p.Legend.ThumbnailWidth + vg.Points(18)
		leg := p.Legend
		leg.Top, leg.Left = true, true
		leg.XOffs = vg.Points(8)
		leg.YOffs = -p.Title.TextStyle.Height(p.Title.Text) - vg.Points(6)
		p.Legend = gplot.NewLegend() // drawn beside the plot, not in it
		p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
		leg.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-lw, 0, 0, 0))
	} else {
		p.Legend = gplot.NewLegend()
		p.Draw(dc)
	}
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	label := c.Label
	if label == "" {
		label = c.Title
	}
	return inline(linkGlyphs(buf.Bytes(), glyphs), label), nil
}

// glyphLink is where one drawn point links to, if anywhere.
type glyphLink struct{ href, tip string }

// pointLinks lists the links of a series' drawn points, or none when the
// series was downsampled (drawn points no longer match its values).
func pointLinks(s Series, drawn int) []glyphLink {
	out := make([]glyphLink, 0, drawn)
	for i := range min(len(s.X), len(s.Y)) {
		if math.IsNaN(s.Y[i]) {
			continue
		}
		var l glyphLink
		if i < len(s.Links) {
			l.href = s.Links[i]
		}
		if i < len(s.Tips) {
			l.tip = s.Tips[i]
		}
		out = append(out, l)
	}
	if len(out) != drawn {
		return make([]glyphLink, drawn)
	}
	return out
}

// linkGlyphs wraps the circle glyphs of the SVG (one <path> line each, drawn
// in the order of glyphs; the legend's come after) in <a> elements with a
// <title>. gonum draws each glyph as its own path with two arcs.
func linkGlyphs(svg []byte, glyphs []glyphLink) []byte {
	any := false
	for _, g := range glyphs {
		any = any || g.href != ""
	}
	if !any {
		return svg
	}
	lines := bytes.SplitAfter(svg, []byte("\n"))
	var out bytes.Buffer
	k := 0
	for _, line := range lines {
		if k < len(glyphs) && bytes.HasPrefix(line, []byte("<path d=\"M")) && bytes.Contains(line, []byte(" 0 1 1 ")) {
			g := glyphs[k]
			k++
			if g.href != "" {
				fmt.Fprintf(&out, `<a href="%s"><title>%s</title>`, escapeAttr(g.href), escapeAttr(g.tip))
				out.Write(bytes.TrimRight(line, "\n"))
				out.WriteString("</a>\n")
				continue
			}
		}
		out.Write(line)
	}
	return out.Bytes()
}

func orRed(c color.Color) color.Color {
	if c == nil {
		return Red
	}
	return c
}

// inline strips the XML prolog and comments before <svg> and adds the
// accessibility attributes.
func inline(svg []byte, title string) []byte {
	i := bytes.Index(svg, []byte("<svg"))
	if i < 0 {
		return svg
	}
	svg = svg[i:]
	attr := fmt.Sprintf(`<svg role="img" aria-label="%s" class="chart"`, escapeAttr(title))
	return append([]byte(attr), svg[len("<svg"):]...)
}

var attrEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;")

func escapeAttr(s string) string { return attrEscaper.Replace(s) }
