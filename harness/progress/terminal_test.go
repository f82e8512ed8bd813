package progress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func cellN(name string, d time.Duration) matrix.Cell {
	return matrix.Cell{ID: name + "/ram=64MiB", Target: name, Duration: d, RAM: 64 << 20}
}

func TestTerminalDraws(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: t0}
	var b bytes.Buffer
	term := NewTerminal(&b, WithClock(clk.now))
	a, c := cellN("steady", 30*time.Second), cellN("leaky", 60*time.Second)
	term.RunStarted(&results.Run{ID: "r1", Backend: "process"}, []matrix.Cell{a, c})
	require.Equal(t, "\r\x1b[Jrun r1: 2 cells -> process\n", b.String(), "the first line: nothing to erase yet")

	b.Reset()
	term.CellStarted(1, 2, a)
	// one live line plus the matrix line; ETA is both cells' full duration
	require.Equal(t, "\r\x1b[J[1/2] steady/ram=64MiB: starting (30s, limit 64.0MiB)\n"+
		"matrix: 0/2 done, 1 running, ETA 1m30s\n", b.String())

	b.Reset()
	clk.add(time.Second)
	term.Sampled(a, results.Sample{T: 10, RSS: 16 << 20, RPS: 99.6, P99: 4.25, Errors: 3})
	// moved up over the two live lines, erased, redrew: 10 s of 30 s done, 20 + 60 s left
	require.Equal(t, "\x1b[2F\r\x1b[J[1/2] steady/ram=64MiB: 10s/30s mem 16.0MiB/64.0MiB (25%) rps 100 p99 4.2ms err 3\n"+
		"matrix: 0/2 done, 1 running, ETA 1m20s\n", b.String())

	b.Reset()
	clk.add(100 * time.Millisecond)
	term.Sampled(a, results.Sample{T: 11, RSS: 17 << 20})
	require.Empty(t, b.String(), "a redraw within 250ms of the last one is skipped")

	clk.add(200 * time.Millisecond)
	term.Sampled(a, results.Sample{T: 12, RSS: 32 << 20, WorkingSet: 48 << 20})
	require.Contains(t, b.String(), "12s/30s mem 48.0MiB/64.0MiB (75%)", "the working set wins over RSS once past the throttle")

	b.Reset()
	term.CellEnded(1, 2, &results.Cell{ID: a.ID, Outcome: results.Completed, Started: t0, Ended: t0.Add(30 * time.Second), PeakRSS: 40 << 20})
	// the live lines give way to a permanent line; no cell runs, so no live lines follow
	require.Equal(t, "\x1b[2F\r\x1b[J[1/2] steady/ram=64MiB: completed after 30s, peak RSS 40.0MiB\n", b.String())

	b.Reset()
	term.CellStarted(2, 2, c)
	term.Warn("leaky: scrape failed")
	out := b.String()
	// the warning is printed above the redrawn live lines
	require.Equal(t, "\r\x1b[J[2/2] leaky/ram=64MiB: starting (1m0s, limit 64.0MiB)\nmatrix: 1/2 done, 1 running, ETA 1m00s\n"+
		"\x1b[2F\r\x1b[Jwarning: leaky: scrape failed\n[2/2] leaky/ram=64MiB: starting (1m0s, limit 64.0MiB)\nmatrix: 1/2 done, 1 running, ETA 1m00s\n", out)

	b.Reset()
	term.Close()
	require.Equal(t, "\x1b[2F\r\x1b[J", b.String(), "Close erases the live lines")
}

func TestTerminalResumeAndWidth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		width int
		want  []string
	}{
		// resumed: the done cell is counted and left out of the ETA
		{"resume", 0, []string{"3 cells (1 already done)", "matrix: 1/3 done, 1 running, ETA 2h00m00s"}},
		// a narrow terminal: live lines cut so they never wrap
		{"narrow", 20, []string{"[2/3] leaky/ram=64Mi\n", "matrix: 1/3 done, 1 \n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			term := NewTerminal(&b, WithRedraw(0), WithWidth(tc.width))
			a, c, d := cellN("steady", time.Hour), cellN("leaky", time.Hour), cellN("hog", time.Hour)
			run := &results.Run{ID: "r", Cells: []results.Cell{{ID: a.ID, Outcome: results.Completed}, {ID: c.ID, Outcome: results.Interrupted}}}
			term.RunStarted(run, []matrix.Cell{a, c, d})
			term.CellStarted(2, 3, c)
			for _, w := range tc.want {
				require.Contains(t, b.String(), w)
			}
		})
	}
}

func TestTerminalConcurrent(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	term := NewTerminal(&b, WithRedraw(0))
	cells := []matrix.Cell{cellN("a", time.Minute), cellN("b", time.Minute), cellN("c", time.Minute)}
	term.RunStarted(&results.Run{ID: "r"}, cells)
	var wg sync.WaitGroup
	for i, c := range cells {
		wg.Add(1)
		go func() {
			defer wg.Done()
			term.CellStarted(i+1, 3, c)
			for k := range 50 {
				term.Sampled(c, results.Sample{T: float64(k)})
			}
			term.CellEnded(i+1, 3, &results.Cell{ID: c.ID, Outcome: results.Completed})
		}()
	}
	wg.Wait()
	out := b.String()
	for i, c := range cells {
		require.Contains(t, out, fmt.Sprintf("%s: completed", c.ID), "cell %d", i)
	}
	// every live region drawn was erased by the next write: it ends erased
	require.True(t, strings.HasSuffix(out, "completed after 0s, peak RSS 0B\n"))
	require.Empty(t, term.running)
}

func TestTerminalWidthNotATerminal(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "out")
	require.NoError(t, err)
	defer f.Close()
	cases := []struct {
		name string
		w    io.Writer
	}{
		{"buffer", &bytes.Buffer{}}, // not a file: no size
		{"file", f},                 // a regular file: the ioctl fails
	}
	for _, tc := range cases {
		require.Zero(t, TerminalWidth(tc.w), tc.name)
	}
}

func TestTerminalWidthPty(t *testing.T) {
	t.Parallel()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	require.NoError(t, err)
	defer master.Close()
	mfd := int(master.Fd())
	require.NoError(t, unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(mfd, unix.TIOCGPTN)
	require.NoError(t, err)
	slave, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	defer slave.Close()
	require.NoError(t, unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: 123, Row: 40}))
	require.Equal(t, 123, TerminalWidth(slave), "a real terminal reports its columns")
}

// A cell killed before its second sample has only its first RSS reading;
// the end line gives the cgroup's peak beside it.
func TestEndLineCgroupPeak(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &results.Cell{ID: "hog/ram=48MiB", Outcome: results.OOMKilled, Started: at, Ended: at.Add(time.Second),
		PeakRSS: 4 << 10, PeakCgroup: 48 << 20, Detail: "cgroup oom_kill 1"}
	require.Equal(t, "[2/2] hog/ram=48MiB: oom-killed after 1s, peak RSS 4KiB, cgroup 48.0MiB: cgroup oom_kill 1", endLine(2, 2, r))
}

// A crashed target's last words and warnings carrying its text reach the
// terminal with every control sequence escaped, on one line, whatever the
// observer: no title set, no line erased, no fake verdict drawn over ours.
func TestHostileTextEscaped(t *testing.T) {
	t.Parallel()
	hostile := "panic\x1b]0;pwned\x07\x1b[2K\r\nFAKE: all cells GO\u202e\x9b31m"
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cell := matrix.Cell{ID: "t/x", Target: "t", Duration: time.Second, RAM: 1 << 20}
	r := &results.Cell{ID: "t/x", Outcome: results.Crashed, Started: at, Ended: at.Add(time.Second), Detail: hostile}
	for name, o := range map[string]func(*bytes.Buffer) runner.Observer{
		"plain":    func(b *bytes.Buffer) runner.Observer { return NewPlain(b, 1) },
		"terminal": func(b *bytes.Buffer) runner.Observer { return NewTerminal(b, WithWidth(200)) },
	} {
		var b bytes.Buffer
		obs := o(&b)
		obs.RunStarted(&results.Run{ID: "h"}, []matrix.Cell{cell})
		obs.CellStarted(1, 1, cell)
		obs.Warn("t: scrape: " + hostile)
		obs.CellEnded(1, 1, r)
		if c, ok := obs.(interface{ Close() }); ok {
			c.Close()
		}
		out := b.String()
		require.NotContains(t, out, "]0;pwned\x07", name)
		require.NotContains(t, out, "\x1b[2K\r\nFAKE", name)
		require.NotContains(t, out, "\u202e", name)
		require.NotContains(t, out, "\x9b", name)
		require.Contains(t, out, `\x1b]0;pwned\a`, name)
		require.Contains(t, out, `\r\nFAKE: all cells GO`, name)
	}
}
