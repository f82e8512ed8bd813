package progress

import (
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

// The appenders print what the fmt verbs they replace printed.
func TestAppendersMatchFmt(t *testing.T) {
	sizeFmt := func(n int64) string {
		switch {
		case n >= 1<<30:
			return fmt.Sprintf("%.2fGiB", float64(n)/(1<<30))
		case n >= 1<<20:
			return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.0fKiB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%dB", n)
	}
	for _, n := range []int64{0, 1, 1023, 1024, 1535, 1536, 1<<20 - 1, 1 << 20, 48 << 20, 1<<30 - 1, 1 << 30, 3<<30 + 1<<29, -5} {
		if got, want := string(appendSize(nil, n)), sizeFmt(n); got != want {
			t.Errorf("appendSize(%d) = %q, want %q", n, got, want)
		}
	}
	etaFmt := func(d time.Duration) string {
		d = d.Round(time.Second)
		h, m, s := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
		switch {
		case h > 0:
			return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
		case m > 0:
			return fmt.Sprintf("%dm%02ds", m, s)
		}
		return fmt.Sprintf("%ds", s)
	}
	for _, d := range []time.Duration{0, 499 * time.Millisecond, 6 * time.Second, 4*time.Minute + 5*time.Second,
		time.Hour + 2*time.Minute + 3*time.Second, 26 * time.Hour, 59*time.Minute + 59*time.Second + 600*time.Millisecond} {
		if got, want := string(appendETA(nil, d)), etaFmt(d); got != want {
			t.Errorf("appendETA(%v) = %q, want %q", d, got, want)
		}
	}
	floats := []struct {
		v           float64
		prec, width int
	}{
		{0, 0, 3}, {5.4, 0, 3}, {99.5, 0, 3}, {600, 0, 3}, {86400, 0, 3}, {2.55, 1, 0}, {-1.5, 0, 3},
		{math.NaN(), 1, 0}, {math.Inf(1), 0, 3},
	}
	for _, f := range floats {
		want := fmt.Sprintf("%*.*f", f.width, f.prec, f.v)
		if got := string(appendFloat(nil, f.v, f.prec, f.width)); got != want {
			t.Errorf("appendFloat(%v, %d, %d) = %q, want %q", f.v, f.prec, f.width, got, want)
		}
	}
}

// A sample line allocates nothing once its printer's buffer has grown: the
// harness prints one every interval for the whole of a soak.
func TestSampleLinesAllocateNothing(t *testing.T) {
	c := matrix.Cell{ID: "steady/duration=10m,percentiles=windowed,ram=1GiB,rps=5000,tasks=64",
		Target: "steady", Duration: 10 * time.Minute, RAM: 1 << 30}
	s := results.Sample{T: 123.4, RSS: 9 << 20, WorkingSet: 8 << 20, RPS: 4998.7, P99: 12.34, Errors: 3}
	run := &results.Run{ID: "allocs", Backend: "process"}
	printers := map[string]runner.Observer{
		"plain":    NewPlain(io.Discard, time.Second),
		"terminal": NewTerminal(io.Discard, WithRedraw(0), WithWidth(100)),
	}
	for name, o := range printers {
		o.RunStarted(run, []matrix.Cell{c})
		o.CellStarted(1, 1, c)
		o.Sampled(c, s)
		if n := testing.AllocsPerRun(100, func() { o.Sampled(c, s) }); n != 0 {
			t.Errorf("%s: %v allocations per sample line, want 0", name, n)
		}
	}
}

// The load part of a sample line says whose load it is.
func TestAppendLoadByKind(t *testing.T) {
	t.Parallel()
	s := results.Sample{RSS: 9 << 20, WorkingSet: 32 << 20, RPS: 912.4, P99: 2.56, Errors: 3}
	tests := []struct {
		kind, want string
	}{
		// soaklab's driver: its rate, latency and errors
		{matrix.KindServer, "mem 32.0MiB/256.0MiB (12%) rps 912 p99 2.6ms err 3"},
		// an empty kind is a server (cells built by hand)
		{"", "mem 32.0MiB/256.0MiB (12%) rps 912 p99 2.6ms err 3"},
		// the sink's count of what the client sent; no latency is measured
		{matrix.KindClient, "mem 32.0MiB/256.0MiB (12%) sink rps 912 err 3"},
		// nothing of soaklab's drives a workload: memory only
		{matrix.KindWorkload, "mem 32.0MiB/256.0MiB (12%)"},
	}
	for _, tt := range tests {
		if got := string(appendLoad(nil, &s, 256<<20, tt.kind)); got != tt.want {
			t.Errorf("kind %q: got %q, want %q", tt.kind, got, tt.want)
		}
	}
}
