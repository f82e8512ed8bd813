package plot

import (
	"math"
	"time"

	gplot "gonum.org/v1/plot"
)

// dateTicker labels an axis of Unix seconds with dates at UTC midnights:
// every day, every other day, weekly or monthly by the span.
type dateTicker struct{}

// Ticks implements gplot.Ticker.
func (dateTicker) Ticks(lo, hi float64) []gplot.Tick {
	const day = 86400.0
	span := (hi - lo) / day
	step := 1.0
	for _, s := range []float64{1, 2, 7, 14, 28, 56, 91, 182, 364} {
		step = s
		if span/s <= 7 {
			break
		}
	}
	layout := "Jan 2"
	if span > 300 {
		layout = "2006-01-02"
	}
	var out []gplot.Tick
	for d := math.Ceil(lo / day); d*day <= hi; d += step {
		t := time.Unix(int64(d*day), 0).UTC()
		out = append(out, gplot.Tick{Value: d * day, Label: t.Format(layout)})
	}
	if len(out) == 0 { // less than a day: the one date
		t := time.Unix(int64(lo), 0).UTC()
		out = append(out, gplot.Tick{Value: lo, Label: t.Format("Jan 2 15:04")})
	}
	return out
}
