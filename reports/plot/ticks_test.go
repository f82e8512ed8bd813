package plot

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLabel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v, step float64
		want    string
	}{
		{0.30000000000000004, 0.1, "0.3"}, // float noise gone
		{1.6000000000000003, 0.4, "1.6"},  // the noise the old time axis showed
		{2.5, 2.5, "2.5"},                 // a 2.5 step keeps its decimal
		{120000, 20000, "120k"},           // thousands as k
		{1500000, 500000, "1.5M"},         // millions as M
		{86250, 250, "86.25k"},            // a fine step keeps its digits
		{-0.0000001, 0.2, "0"},            // no "-0"
		{0.0125, 0.0025, "0.0125"},        // small values stay plain
	} {
		require.Equal(t, tc.want, Label(tc.v, tc.step), "%v step %v", tc.v, tc.step)
	}
}

func TestSignificant(t *testing.T) {
	t.Parallel()
	for label, want := range map[string]int{
		"0": 0, "120k": 2, "0.0125": 3, "86.25k": 4, "2.800000000000000": 16, "1,000": 1, "250": 2, "2.50": 3,
	} {
		require.Equal(t, want, Significant(label), label)
	}
}

// Every tick of every axis a chart may get, from a thousandth to a
// petabyte-sized span and in each time unit, is labelled with at most
// MaxSignificant digits, and ticks are evenly spaced.
func TestTicksAreClean(t *testing.T) {
	t.Parallel()
	for _, tk := range []ticker{{n: 5}, {n: 6, unit: "s"}, {n: 6, unit: "min"}, {n: 6, unit: "h"}} {
		for _, span := range []float64{0.001, 0.37, 1, 1.6, 2.8, 7, 13, 99, 180, 256, 1000, 3600, 7919, 86400, 1e6, 3e9} {
			for _, lo := range []float64{0, span / 3} {
				ticks := tk.Ticks(lo, lo+span)
				require.GreaterOrEqual(t, len(ticks), 2, "span %v from %v (%s)", span, lo, tk.unit)
				require.LessOrEqual(t, len(ticks), 13, "span %v", span)
				for _, k := range ticks {
					require.LessOrEqual(t, Significant(k.Label), MaxSignificant, "%q: span %v from %v (%s)", k.Label, span, lo, tk.unit)
				}
			}
		}
	}
}

func TestTimeUnit(t *testing.T) {
	t.Parallel()
	for span, want := range map[float64]string{1: "s", 180: "s", 181: "min", 3 * 3600: "min", 86400: "h"} {
		_, unit := TimeUnit(span)
		require.Equal(t, want, unit, "span %v", span)
	}
}

// Dates label nights, not "days since" fractions.
func TestDateTicks(t *testing.T) {
	t.Parallel()
	lo := float64(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC).Unix())
	ticks := dateTicker{}.Ticks(lo, lo+3*86400)
	var labels []string
	for _, k := range ticks {
		labels = append(labels, k.Label)
	}
	require.Equal(t, []string{"Nov 21", "Nov 22", "Nov 23"}, labels)
	require.LessOrEqual(t, len(dateTicker{}.Ticks(lo, lo+60*86400)), 8)
}

// A chart of counts never ticks between two whole numbers.
func TestCountTicks(t *testing.T) {
	t.Parallel()
	for _, k := range (ticker{n: 5, counts: true}).Ticks(0, 2) {
		require.Equal(t, float64(int(k.Value)), k.Value, k.Label)
	}
	r, ok := Chart{Counts: true, Series: []Series{{Name: "threads", X: []float64{0, 1}, Y: []float64{1, 2}}}}.Ranges()
	require.True(t, ok)
	require.Equal(t, 3.0, r.YMax)
}
