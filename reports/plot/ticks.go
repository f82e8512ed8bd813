package plot

import (
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
)

// MaxSignificant is the most significant digits a tick label carries.
const MaxSignificant = 4

// TimeUnit picks the unit a time axis spanning span seconds is labelled in:
// seconds up to 3 minutes, minutes up to 3 hours, hours beyond. div is the
// unit in seconds.
func TimeUnit(span float64) (div float64, unit string) {
	switch {
	case span > 3*3600:
		return 3600, "h"
	case span > 180:
		return 60, "min"
	default:
		return 1, "s"
	}
}

// timeSteps are the tick steps of a time axis in its unit: what a clock
// divides into (15 s, 30 min, 6 h), not 2.5 or 25.
var timeSteps = map[string][]float64{
	"s":   {1, 2, 5, 10, 15, 30, 60, 120},
	"min": {1, 2, 5, 10, 15, 30, 60, 120},
	"h":   {0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 96, 168},
}

// Step is the tick step for about n ticks over [lo, hi]: 1, 2, 2.5 or 5
// times a power of ten.
func Step(lo, hi float64, n int) float64 {
	span := hi - lo
	if !(span > 0) || n < 1 {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// timeStep is Step for a time axis in unit.
func timeStep(lo, hi float64, n int, unit string) float64 {
	raw := (hi - lo) / float64(n)
	steps := timeSteps[unit]
	if raw < steps[0]/2 {
		return Step(lo, hi, n)
	}
	for _, s := range steps {
		if s >= raw*(1-1e-9) {
			return s
		}
	}
	return Step(lo, hi, n)
}

// TickValues are the multiples of step in [lo, hi], computed from integers
// so that no float noise creeps in (0.1*3 is 0.30000000000000004).
func TickValues(lo, hi, step float64) []float64 {
	if !(step > 0) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	var out []float64
	for k := math.Ceil(lo/step - 1e-9); k <= math.Floor(hi/step+1e-9); k++ {
		out = append(out, tidy(k*step, step))
		if len(out) > 1000 {
			break
		}
	}
	return out
}

// decimals is how many decimals a multiple of step needs.
func decimals(step float64) int {
	d := 0
	for d < 12 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-9*math.Max(1, step*math.Pow(10, float64(d))) {
		d++
	}
	return d
}

// tidy rounds v to step's decimals.
func tidy(v, step float64) float64 {
	p := math.Pow(10, float64(decimals(step)))
	return math.Round(v*p) / p
}

// Label spells a tick value v of an axis ticked every step: no float noise,
// no trailing zeros, and k, M or G for thousands and up ("20k", "1.5M"), so
// a label keeps to MaxSignificant digits.
func Label(v, step float64) string {
	if v == 0 {
		return "0"
	}
	a := math.Abs(math.Max(math.Abs(v), step))
	for _, u := range []struct {
		div    float64
		suffix string
		min    float64
	}{{1e9, "G", 1e9}, {1e6, "M", 1e6}, {1e3, "k", 1e4}} {
		if a >= u.min {
			return trim(strconv.FormatFloat(v/u.div, 'f', decimals(step/u.div), 64)) + u.suffix
		}
	}
	return trim(strconv.FormatFloat(v, 'f', decimals(step), 64))
}

func trim(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// Significant counts the significant digits of a tick label as a reader
// does: digits without the leading zeros, and without the trailing zeros of
// a whole number ("120k" has 2, "0.0125" has 3, "86.25" has 4).
func Significant(label string) int {
	var digits []byte
	dot := false
	for i := 0; i < len(label); i++ {
		switch c := label[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '.':
			dot = true
		}
	}
	s := strings.TrimLeft(string(digits), "0")
	if !dot {
		s = strings.TrimRight(s, "0")
	}
	return len(s)
}

// ticker labels an axis with clean values every step.
type ticker struct {
	n      int
	unit   string // a time unit: steps a clock divides into
	counts bool   // whole numbers only
}

// Ticks implements gplot.Ticker.
func (t ticker) Ticks(lo, hi float64) []gplot.Tick {
	step := Step(lo, hi, t.n)
	if t.unit != "" {
		step = timeStep(lo, hi, t.n, t.unit)
	}
	if t.counts {
		step = max(step, 1)
	}
	var out []gplot.Tick
	for _, v := range TickValues(lo, hi, step) {
		out = append(out, gplot.Tick{Value: v, Label: Label(v, step)})
	}
	return out
}
