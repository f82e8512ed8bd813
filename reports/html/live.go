package html

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"sort"
	"time"

	"github.com/soaklab/soaklab/reports/downsample"
	"github.com/soaklab/soaklab/reports/plot"
)

// DefaultLiveBuckets is how many min/max buckets the interactive charts of a
// cell keep unless Input.LiveBuckets says otherwise: at most twice as many
// points per series, enough to zoom into the minute a day-long series
// stepped up.
const DefaultLiveBuckets = 1000

// The interactive charts' data for one cell, read by the page's script
// (report.js): one x array shared by every series, as uPlot wants it, and
// the columns downsampled together (downsample.Columns) so they stay
// aligned. x is float32 seconds; each column is quantized to 16 bits over
// its own range (a step of range/65534, finer than a chart's pixels), with
// 65535 for a gap; both are little-endian and base64-encoded, which keeps a
// day-long cell at some tens of KB.
type liveCell struct {
	// Start is when the cell's target started, Unix seconds (0: unknown):
	// the charts show wall-clock time beside the time since start.
	Start  float64     `json:"start,omitempty"`
	X      string      `json:"x"`
	Cols   []liveCol   `json:"cols"`
	Charts []liveChart `json:"charts"`
}

type liveCol struct {
	Q    string  `json:"q"`
	Lo   float64 `json:"lo"`
	Step float64 `json:"step"`
}

type liveChart struct {
	Title  string       `json:"title"`
	Metric string       `json:"metric,omitempty"`
	Unit   string       `json:"unit,omitempty"`
	XMin   float64      `json:"xmin"`
	XMax   float64      `json:"xmax"`
	YMin   float64      `json:"ymin"`
	YMax   float64      `json:"ymax"`
	Hidden []string     `json:"hidden,omitempty"` // reference lines above the scale
	Counts bool         `json:"counts,omitempty"` // whole numbers: ticks at least 1 apart
	Series []liveSeries `json:"series"`
}

// liveSeries is one line of an interactive chart: a data column (Col), a
// reference line at Y (Const), a straight segment (Seg: x0, y0, x1, y1) or a
// mark at one row (Mark, at Y).
type liveSeries struct {
	Name  string    `json:"name"`
	Color string    `json:"color"`
	Dash  bool      `json:"dash,omitempty"`
	Thin  bool      `json:"thin,omitempty"`
	Col   *int      `json:"col,omitempty"`
	Const bool      `json:"const,omitempty"`
	Seg   []float64 `json:"seg,omitempty"`
	Mark  *int      `json:"mark,omitempty"`
	Y     float64   `json:"y"`
}

const gap = 0xFFFF

// liveData encodes a cell's charts for the interactive page. Every series
// whose X is ts becomes a column; the others are drawn as segments. Marks
// after the last sample (an OOM kill between two samples) get a row of
// their own at their time.
func liveData(charts []plot.Chart, ts []float64, buckets int, start time.Time) (template.JS, error) {
	if len(charts) == 0 || len(ts) == 0 {
		return "", nil
	}
	if buckets <= 0 {
		buckets = DefaultLiveBuckets
	}
	var cols [][]float64
	index := map[*float64]int{}
	colOf := func(ys []float64) int {
		if i, ok := index[&ys[0]]; ok {
			return i
		}
		index[&ys[0]] = len(cols)
		cols = append(cols, ys)
		return len(cols) - 1
	}
	out := liveCell{}
	if !start.IsZero() {
		out.Start = float64(start.UnixNano()) / 1e9
	}
	type mark struct {
		chart, series int
		x             float64
	}
	var marks []mark
	for _, ch := range charts {
		rg, _ := ch.Ranges() // drawCell passes only drawable charts
		lc := liveChart{Title: ch.Title, Metric: ch.Metric, Unit: ch.YLabel, XMin: rg.XMin, XMax: rg.XMax, YMin: rg.YMin, YMax: rg.YMax, Counts: ch.Counts}
		for i, s := range ch.Series {
			ls := liveSeries{Name: s.Name, Color: hex(s.Color, plot.Palette[i%len(plot.Palette)]), Dash: s.Dashed, Thin: s.Thin}
			switch {
			case len(s.X) == len(ts) && len(ts) > 0 && &s.X[0] == &ts[0]:
				k := colOf(s.Y)
				ls.Col = &k
			case len(s.X) >= 2:
				ls.Seg = []float64{s.X[0], s.Y[0], s.X[len(s.X)-1], s.Y[len(s.Y)-1]}
			default:
				continue
			}
			lc.Series = append(lc.Series, ls)
		}
		for _, h := range ch.HLines {
			hidden := false
			for _, o := range rg.Hidden {
				hidden = hidden || o == h
			}
			if hidden {
				lc.Hidden = append(lc.Hidden, h.Name)
				continue
			}
			lc.Series = append(lc.Series, liveSeries{Name: h.Name, Color: hex(h.Color, plot.Red), Dash: true, Const: true, Y: h.Y})
		}
		for _, m := range ch.Marks {
			marks = append(marks, mark{len(out.Charts), len(lc.Series), m.X})
			zero := 0
			lc.Series = append(lc.Series, liveSeries{Name: m.Label, Color: hex(m.Color, plot.Red), Mark: &zero, Y: m.Y})
		}
		out.Charts = append(out.Charts, lc)
	}
	xs, ds := downsample.Columns(ts, cols, buckets)
	// Marks after the last row get their own row; the others sit on the
	// first row at or after their time.
	for _, m := range marks {
		row := sort.SearchFloat64s(xs, m.x)
		if row == len(xs) {
			xs = append(xs, m.x)
			for j := range ds {
				ds[j] = append(ds[j], nan)
			}
		}
		r := row
		out.Charts[m.chart].Series[m.series].Mark = &r
	}
	out.X = encodeX(xs)
	for _, d := range ds {
		out.Cols = append(out.Cols, encodeCol(d))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil //nolint:gosec // JSON from json.Marshal, which escapes <, > and &.
}

// encodeX is xs as little-endian float32, base64.
func encodeX(xs []float64) string {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(x)))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// encodeCol quantizes ys to 16 bits over their range; NaN is gap.
func encodeCol(ys []float64) liveCol {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	c := liveCol{}
	if hi >= lo {
		c.Lo, c.Step = lo, (hi-lo)/(gap-1)
	}
	b := make([]byte, 2*len(ys))
	for i, y := range ys {
		q := uint16(gap)
		switch {
		case math.IsNaN(y) || math.IsInf(y, 0):
		case c.Step == 0:
			q = 0
		default:
			q = uint16(math.Round((y - c.Lo) / c.Step))
		}
		binary.LittleEndian.PutUint16(b[2*i:], q)
	}
	c.Q = base64.StdEncoding.EncodeToString(b)
	return c
}

// hex spells c (or def when nil) as #rrggbb.
func hex(c, def color.Color) string {
	if c == nil {
		c = def
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}
