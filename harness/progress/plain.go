// Package progress prints what a run is doing: one plain line per interval
// per cell (CI logs), a live line on a terminal, or JSON lines.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

var _ runner.Observer = (*Plain)(nil)

// Plain prints one line per sample (every `every` samples) and one per cell
// end. It suits CI logs: no terminal control codes.
type Plain struct {
	mu    sync.Mutex
	w     io.Writer
	every int
	n     int
	index int
	total int
	start time.Time
	line  []byte // the sample line, reused
}

// NewPlain prints to w, one sample line out of every `every` (1 = all).
func NewPlain(w io.Writer, every int) *Plain {
	if every < 1 {
		every = 1
	}
	return &Plain{w: w, every: every}
}

func (p *Plain) RunStarted(run *results.Run, cells []matrix.Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "run %s: %d cells -> %s\n", run.ID, len(cells), run.Backend)
}

func (p *Plain) CellStarted(i, n int, c matrix.Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.index, p.total, p.n, p.start = i, n, 0, time.Now()
	fmt.Fprintf(p.w, "[%d/%d] %s: start (%s, limit %s)\n", i, n, c.ID, c.Duration, Size(c.RAM))
}

func (p *Plain) Sampled(c matrix.Cell, s results.Sample) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.n%p.every != 0 {
		return
	}
	b := appendHead(p.line[:0], p.index, p.total, c.ID)
	b = append(b, ": "...)
	b = appendFloat(b, s.T, 0, 3)
	b = append(b, "s/"...)
	b = appendFloat(b, c.Duration.Seconds(), 0, 0)
	b = append(b, "s "...)
	b = append(appendLoad(b, &s, c.RAM), '\n')
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
