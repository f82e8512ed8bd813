package html

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/reports/plot"
)

// The interactive data decodes back to the series within the quantization
// step (range/65534), gaps stay gaps, a mark after the last sample gets a
// row of its own, and a day of one-second samples stays within
// 2*DefaultLiveBuckets rows plus the marks.
func TestLiveData(t *testing.T) {
	t.Parallel()
	n := 86400
	ts, rss := make([]float64, n), make([]float64, n)
	for i := range n {
		ts[i], rss[i] = float64(i), 7+18*float64(i)/float64(n)
	}
	rss[100] = math.NaN()
	charts := []plot.Chart{{Title: "Target memory", YLabel: "MiB", Time: true,
		Series: []plot.Series{{Name: "target RSS", X: ts, Y: rss}, {Name: "fit", X: []float64{10, 86399}, Y: []float64{7, 25}}},
		HLines: []plot.HLine{{Name: "memory limit 256 MiB", Y: 256}, {Name: "near", Y: 30}},
		Marks:  []plot.Mark{{Label: "OOM kill", X: 86405, Y: 25}}}}
	js, err := liveData(charts, ts, 0, time.Time{})
	require.NoError(t, err)
	var d liveCell
	require.NoError(t, json.Unmarshal([]byte(js), &d))
	xb, err := base64.StdEncoding.DecodeString(d.X)
	require.NoError(t, err)
	rows := len(xb) / 4
	require.LessOrEqual(t, rows, 2*DefaultLiveBuckets+1)
	lastX := math.Float32frombits(binary.LittleEndian.Uint32(xb[4*(rows-1):]))
	require.Equal(t, float32(86405), lastX, "the kill has a row at its time")
	require.Len(t, d.Cols, 1, "one data column; the fit, the lines and the mark are drawn from the spec")
	qb, err := base64.StdEncoding.DecodeString(d.Cols[0].Q)
	require.NoError(t, err)
	require.Len(t, qb, 2*rows)
	top, gaps := 0.0, 0
	for i := range rows {
		q := binary.LittleEndian.Uint16(qb[2*i:])
		if q == gap {
			gaps++
			continue
		}
		v := d.Cols[0].Lo + float64(q)*d.Cols[0].Step
		require.InDelta(t, 7+18*float64(math.Float32frombits(binary.LittleEndian.Uint32(xb[4*i:])))/float64(n), v, 0.01)
		top = max(top, v)
	}
	require.InDelta(t, 25, top, 0.001, "the peak survives")
	require.Equal(t, 1, gaps, "the mark's row is a gap in the data")
	c := d.Charts[0]
	require.Equal(t, []string{"memory limit 256 MiB"}, c.Hidden)
	kinds := map[string]bool{}
	for _, s := range c.Series {
		switch {
		case s.Col != nil:
			kinds["col"] = true
		case s.Seg != nil:
			kinds["seg"] = true
		case s.Const:
			kinds["const"] = true
		case s.Mark != nil:
			kinds["mark"] = true
			require.Equal(t, rows-1, *s.Mark)
		}
	}
	require.Len(t, kinds, 4)
}
