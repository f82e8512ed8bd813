package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default chart size, in points (1/72 inch). It reads on a laptop screen two
// charts side by side and prints on A4.
const (
	DefaultWidth  = 480
	DefaultHeight = 220
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
	Points bool        // mark every point too: for short series such as one value per run
	Color  color.Color // nil picks from Palette in order
}

// HLine is a horizontal reference line, such as the memory limit.
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
	Title string // shown above the plot
	// Label is the accessible name of the SVG; Title when empty.
	Label  string
	YLabel string
	// Time says X is seconds: the axis is shown in s, min or h by range.
	Time   bool
	XLabel string // used when !Time
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

// Buckets sets the downsampling of every series (see MinMax).
func Buckets(n int) Option { return func(c *config) { c.buckets = n } }

// timeScale picks the unit of a time axis from its largest value.
func timeScale(maxT float64) (div float64, unit string) {
	switch {
	case maxT > 3*3600:
		return 3600, "h"
	case maxT > 180:
		return 60, "min"
	default:
		return 1, "s"
	}
}

// SVG draws c as an <svg> element ready to inline in HTML: no XML prolog, with
// role="img" and an aria-label naming the chart. The same chart always gives
// the same bytes.
func SVG(c Chart, opts ...Option) ([]byte, error) {
	cfg := config{w: DefaultWidth, h: DefaultHeight, buckets: DefaultBuckets}
	for _, o := range opts {
		o(&cfg)
	}
	p := gplot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.Text = c.YLabel
	p.X.Label.Text = c.XLabel
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	p.X.Tick.Marker = shortTicks{}
	p.Y.Tick.Marker = shortTicks{}

	xMin, xMax := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for i := range min(len(s.X), len(s.Y)) {
			if !math.IsNaN(s.Y[i]) {
				xMin, xMax = min(xMin, s.X[i]), max(xMax, s.X[i])
			}
		}
	}
	if math.IsInf(xMin, 0) {
		return nil, fmt.Errorf("%w: %q", ErrEmpty, c.Title)
	}
	div := 1.0
	if c.Time {
		var unit string
		div, unit = timeScale(xMax)
		p.X.Label.Text = "time (" + unit + ")"
	}
	yMax := 0.0
	for i, s := range c.Series {
		xs, ys := MinMax(s.X, s.Y, cfg.buckets)
		if len(xs) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(xs))
		for j := range xs {
			pts[j] = plotter.XY{X: xs[j] / div, Y: ys[j]}
			yMax = max(yMax, ys[j])
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("chart %q series %q: %w", c.Title, s.Name, err)
		}
		l.Color = s.Color
		if l.Color == nil {
			l.Color = Palette[i%len(Palette)]
		}
		l.Width = vg.Points(1.2)
		if s.Thin {
			l.Width = vg.Points(0.7)
		}
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		if s.Points {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, fmt.Errorf("chart %q series %q: %w", c.Title, s.Name, err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: l.Color, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
			p.Add(sc)
		}
		p.Legend.Add(s.Name, l)
	}
	for _, h := range c.HLines {
		l, err := plotter.NewLine(plotter.XYs{{X: xMin / div, Y: h.Y}, {X: xMax / div, Y: h.Y}})
		if err != nil {
			return nil, fmt.Errorf("chart %q line %q: %w", c.Title, h.Name, err)
		}
		l.Color = h.Color
		if l.Color == nil {
			l.Color = Red
		}
		l.Width = vg.Points(1)
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(h.Name, l)
		yMax = max(yMax, h.Y)
	}
	for _, m := range c.Marks {
		col := m.Color
		if col == nil {
			col = Red
		}
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
		lb.TextStyle[0].XAlign = draw.XRight
		lb.Offset = vg.Point{X: -vg.Points(6), Y: vg.Points(4)}
		p.Add(lb)
		p.Legend.Add(m.Label, sc)
	}
	p.Y.Min = 0
	// Head room above the data for the legend, which sits top left.
	p.Y.Max = yMax * (1.08 + 0.08*float64(len(c.Series)+len(c.HLines)+len(c.Marks)))
	if p.Y.Max == 0 {
		p.Y.Max = 1
	}
	cv := vgsvg.New(vg.Points(cfg.w), vg.Points(cfg.h))
	p.Draw(draw.New(cv))
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	label := c.Label
	if label == "" {
		label = c.Title
	}
	return inline(buf.Bytes(), label), nil
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

// shortTicks are gonum's default ticks labelled without trailing zeros or
// exponents: "500", "1.5", "120000".
type shortTicks struct{}

// Ticks implements gplot.Ticker.
func (shortTicks) Ticks(lo, hi float64) []gplot.Tick {
	ticks := gplot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}
