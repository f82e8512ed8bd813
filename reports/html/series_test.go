package html

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// seriesSamples are samples that fill every column of a chart series:
// memory with a reading of nothing, faults, pressure, latency, errors,
// threads and two metrics, one missing from some samples, then an OOM kill.
func seriesSamples(n int) []results.Sample {
	out := make([]results.Sample, n)
	for i := range out {
		s := &out[i]
		s.T = float64(i)
		s.RSS, s.WorkingSet, s.Anon, s.RSSAnon = int64(10+i%7)<<20, int64(12+i%5)<<20, int64(9+i%3)<<20, int64(8+i%4)<<20
		s.DriverRSS, s.DriverAnon, s.DriverHeap = int64(30+i%2)<<20, 20<<20, int64(5+i%3)<<20
		s.MajorFaults = int64(i * (i % 4))
		s.Pressure = &results.MemPressure{SomeUs: int64(i * 1000 * (i % 3)), FullUs: int64(i * 100)}
		s.P50, s.P99, s.P99Raw, s.RPS = 1+float64(i%5)/10, 9+float64(i%11), 7, 100+float64(i%9)
		s.Errors, s.Threads = int64(i%13/12), int64(10+i%2)
		s.Metrics = map[string]float64{"go_goroutines": float64(40 + i%6)}
		if i%10 != 3 {
			s.Metrics["heap_bytes"] = float64(i << 16)
		}
	}
	out[n/2].RSS = 0
	out[n-1].OOMKills = 1
	return out
}

// chartSeriesDigest is a digest of what BuildChartSeries keeps.
func chartSeriesDigest(cs *results.ChartSeries) string {
	h := sha256.New()
	f := func(v float64) { _ = binary.Write(h, binary.LittleEndian, math.Float64bits(v)) }
	fmt.Fprintf(h, "%s %d %d\n", cs.Builder, cs.Samples, len(cs.X))
	for _, x := range cs.X {
		f(x)
	}
	for _, c := range cs.Cols {
		fmt.Fprintf(h, "%s\n", c.Name)
		for _, y := range c.Y {
			f(y)
		}
	}
	keys := make([]string, 0, len(cs.Scalars))
	for k := range cs.Scalars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=", k)
		f(cs.Scalars[k])
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:16]
}

// What BuildChartSeries keeps is pinned to chartSeriesVersion: a change to
// it that leaves the version alone would let reports draw chart series
// cached by the previous soaklab as if this one had built them. Change the
// version, then the digest.
func TestChartSeriesVersion(t *testing.T) {
	t.Parallel()
	digests := map[int]string{1: "b795ff8bc35b898f"}
	for _, n := range []int{50, 5000} { // kept whole, and reduced
		cs := BuildChartSeries(seriesSamples(n), 0)
		require.LessOrEqual(t, len(cs.X), 2*DefaultLiveBuckets)
		for _, name := range []string{colRSS, colWorkingSet, colAnon, colRSSAnon, colDriverRSS, colDriverAnon, colDriverHeap,
			colFaults, colSome, colFull, colP50, colP99, colP99Raw, colRPS, colErrors, colThreads, metricPrefix + "go_goroutines", metricPrefix + "heap_bytes"} {
			require.NotNil(t, cs.Col(name), "column %s", name)
		}
		require.Equal(t, float64(n-1), cs.Scalars[scalarKillT])
		t.Logf("%d samples: %s", n, chartSeriesDigest(cs))
	}
	got := chartSeriesDigest(BuildChartSeries(seriesSamples(5000), 0))
	require.Equal(t, digests[chartSeriesVersion], got, "BuildChartSeries changed: bump chartSeriesVersion and record the new digest")
}
