// Package progress prints what a run is doing: a plain line per running
// cell every so often (CI logs), a live line on a terminal, or JSON lines.
package progress

import (
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

var _ runner.Observer = (*Plain)(nil)

// Plain prints a line for a sample at most once every `every` of the
// cell's time, and one line per cell end with its outcome (and verdict
// when the cell was judged as it ended). It suits CI logs: no terminal
// control codes, and a 24-hour cell printed every 30 s is 2,880 lines,
// not 86,400.
type Plain struct {
	mu    sync.Mutex
	w     io.Writer
	every float64 // seconds
	next  float64 // cell time of the next line
	index int
	total int
	start time.Time
	line  []byte // the sample line, reused
}

// DefaultEvery is how often Plain prints a running cell's line when
// nobody says otherwise: CI logs stay short.
const DefaultEvery = 30 * time.Second

// NewPlain prints to w a line for a running cell's first sample at or
// past every `every` of its time (with 1 s samples and every = 2 s, one
// sample in two); every <= 0 prints every sample.
func NewPlain(w io.Writer, every time.Duration) *Plain {
	return &Plain{w: w, every: max(every.Seconds(), 0)}
}

func (p *Plain) RunStarted(run *results.Run, cells []matrix.Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "run %s: %d cells -> %s\n", run.ID, len(cells), run.Backend)
}

func (p *Plain) CellStarted(i, n int, c matrix.Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.index, p.total, p.next, p.start = i, n, p.every, time.Now()
	fmt.Fprintf(p.w, "[%d/%d] %s: start (%s, limit %s)\n", i, n, c.ID, c.Duration, Size(c.RAM))
}

func (p *Plain) Sampled(c matrix.Cell, s results.Sample) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.every > 0 {
		if s.T+1e-9 < p.next {
			return
		}
		p.next = (math.Floor((s.T+1e-9)/p.every) + 1) * p.every
	}
	b := appendHead(p.line[:0], p.index, p.total, c.ID)
	b = append(b, ": "...)
	b = appendFloat(b, s.T, 0, 3)
	b = append(b, "s/"...)
	b = appendFloat(b, c.Duration.Seconds(), 0, 0)
	b = append(b, "s "...)
	b = append(appendLoad(b, &s, c.RAM, c.Kind), '\n')
	p.line = b
	p.w.Write(b)
}

func (p *Plain) CellEnded(i, n int, r *results.Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, endLine(i, n, r))
}

func (p *Plain) Warn(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "warning: %s\n", results.Printable(msg))
}

// Size formats bytes in binary units for progress lines.
func Size(n int64) string { return string(appendSize(nil, n)) }
