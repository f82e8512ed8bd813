package progress

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

var _ runner.Observer = (*Terminal)(nil)

// DefaultRedraw is the shortest time between two redraws of the live lines
// (at most four a second).
const DefaultRedraw = 250 * time.Millisecond

// ANSI control sequences the terminal view writes.
const (
	ansiUp       = "\x1b[" // then n and ansiUpEnd: cursor to the start of the line n lines up
	ansiUpEnd    = 'F'
	ansiClearEnd = "\x1b[J" // erase from the cursor to the end of the screen
)

// TerminalOption sets a knob of a Terminal.
type TerminalOption func(*Terminal)

// WithClock sets the clock used to throttle redraws (tests pass a fake).
func WithClock(now func() time.Time) TerminalOption {
	return func(t *Terminal) { t.now = now }
}

// WithRedraw sets the shortest time between redraws; 0 redraws on every event.
func WithRedraw(d time.Duration) TerminalOption {
	return func(t *Terminal) { t.redraw = d }
}

// WithWidth cuts live lines to n columns so they never wrap (a wrapped line
// would break the in-place rewrite); 0 leaves them whole.
func WithWidth(n int) TerminalOption {
	return func(t *Terminal) { t.width = n }
}

// Terminal keeps one live status line per running cell at the bottom of a
// terminal, rewritten in place with ANSI codes, and a matrix line with an
// ETA. Finished cells and warnings are printed above them as permanent
// lines. It starts no goroutine: it redraws from the runner's calls,
// throttled, so there is nothing to stop.
type Terminal struct {
	mu     sync.Mutex
	w      io.Writer
	now    func() time.Time
	redraw time.Duration
	width  int

	runID    string
	total    int
	done     int
	pending  map[string]time.Duration // cells not started yet, by id
	running  []*liveCell              // in start order
	drawn    int                      // live lines on screen now
	lastDraw time.Time
	dirty    bool
	frame    []byte // what the last write drew, reused
}

type liveCell struct {
	index, total int
	cell         matrix.Cell
	last         results.Sample
	sampled      bool
}

// NewTerminal writes live progress to w, which should be a terminal.
func NewTerminal(w io.Writer, opts ...TerminalOption) *Terminal {
	t := &Terminal{w: w, now: time.Now, redraw: DefaultRedraw, pending: map[string]time.Duration{}}
	for _, o := range opts {
		o(t)
	}
	return t
}

func (t *Terminal) RunStarted(run *results.Run, cells []matrix.Cell) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runID, t.total = run.ID, len(cells)
	finished := map[string]bool{}
	for i := range run.Cells {
		if runner.Done(&run.Cells[i]) {
			finished[run.Cells[i].ID] = true
		}
	}
	for _, c := range cells {
		if finished[c.ID] {
			t.done++
			continue
		}
		t.pending[c.ID] = c.Duration
	}
	resumed := ""
	if t.done > 0 {
		resumed = fmt.Sprintf(" (%d already done)", t.done)
	}
	t.print(fmt.Sprintf("run %s: %d cells%s -> %s", run.ID, len(cells), resumed, run.Backend))
}

func (t *Terminal) CellStarted(i, n int, c matrix.Cell) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pending, c.ID)
	t.running = append(t.running, &liveCell{index: i, total: n, cell: c})
	t.dirty = true
	t.flush(true)
}

func (t *Terminal) Sampled(c matrix.Cell, s results.Sample) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, lc := range t.running {
		if lc.cell.ID == c.ID {
			lc.last, lc.sampled = s, true
		}
	}
	t.dirty = true
	t.flush(false)
}

func (t *Terminal) CellEnded(i, n int, r *results.Cell) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, lc := range t.running {
		if lc.cell.ID == r.ID {
			t.running = append(t.running[:k], t.running[k+1:]...)
			break
		}
	}
	t.done++
	t.print(endLine(i, n, r))
}

func (t *Terminal) Warn(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.print("warning: " + results.Printable(msg))
}

// Close erases the live lines, leaving only the permanent ones.
func (t *Terminal) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running = nil
	t.dirty = true
	t.flush(true)
}

// print writes a permanent line above the live ones and redraws them.
func (t *Terminal) print(line string) {
	b := t.erase(t.frame[:0])
	b = append(append(b, line...), '\n')
	t.frame = t.drawLive(b)
	t.w.Write(t.frame)
}

// flush redraws the live lines if they changed and the throttle allows.
func (t *Terminal) flush(force bool) {
	if !t.dirty || (!force && t.now().Sub(t.lastDraw) < t.redraw) {
		return
	}
	t.frame = t.drawLive(t.erase(t.frame[:0]))
	t.w.Write(t.frame)
}

// erase appends what moves the cursor to the first live line and clears
// from there down.
func (t *Terminal) erase(b []byte) []byte {
	if t.drawn > 0 {
		b = append(b, ansiUp...)
		b = strconv.AppendInt(b, int64(t.drawn), 10)
		b = append(b, ansiUpEnd)
	}
	t.drawn = 0
	return append(b, "\r"+ansiClearEnd...)
}

// drawLive appends a line for each running cell and the matrix's ETA.
func (t *Terminal) drawLive(b []byte) []byte {
	t.dirty, t.lastDraw = false, t.now()
	if len(t.running) == 0 {
		return b
	}
	for _, lc := range t.running {
		start := len(b)
		b = append(t.cut(appendLive(b, lc), start), '\n')
	}
	start := len(b)
	b = append(b, "matrix: "...)
	b = strconv.AppendInt(b, int64(t.done), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(t.total), 10)
	b = append(b, " done, "...)
	b = strconv.AppendInt(b, int64(len(t.running)), 10)
	b = append(b, " running, ETA "...)
	b = append(t.cut(appendETA(b, t.eta()), start), '\n')
	t.drawn = len(t.running) + 1
	return b
}

// eta is the requested duration of the cells still to run plus what is
// left of the running ones.
func (t *Terminal) eta() time.Duration {
	var d time.Duration
	for _, p := range t.pending {
		d += p
	}
	for _, lc := range t.running {
		left := lc.cell.Duration - time.Duration(lc.last.T*float64(time.Second))
		d += max(left, 0)
	}
	return d
}

// cut shortens the line that starts at b[start] to the terminal's width.
func (t *Terminal) cut(b []byte, start int) []byte {
	if t.width > 0 && len(b)-start > t.width {
		return b[:start+t.width]
	}
	return b
}

// appendLive appends a running cell's live line.
func appendLive(b []byte, lc *liveCell) []byte {
	c, s := &lc.cell, &lc.last
	b = appendHead(b, lc.index, lc.total, c.ID)
	if !lc.sampled {
		b = append(b, ": starting ("...)
		b = append(b, c.Duration.String()...)
		b = append(b, ", limit "...)
		return append(appendSize(b, c.RAM), ')')
	}
	b = append(b, ": "...)
	b = appendETA(b, time.Duration(s.T*float64(time.Second)))
	b = append(b, '/')
	b = appendETA(b, c.Duration)
	b = append(b, ' ')
	return appendLoad(b, s, c.RAM, c.Kind)
}

func endLine(i, n int, r *results.Cell) string {
	detail := ""
	if r.Detail != "" {
		detail = ": " + r.Detail // a target's last words: untrusted
	}
	// The cgroup's peak too: a target killed before its second sample
	// shows only its first RSS reading (a few KiB at exec), and the cgroup
	// counts what RSS does not (page cache, shmem, children).
	peak := "peak RSS " + Size(r.PeakRSS)
	if r.PeakCgroup > 0 {
		peak += ", cgroup " + Size(r.PeakCgroup)
	}
	verdict := ""
	if r.Verdict != "" {
		verdict = string(r.Verdict) + ": "
	}
	if e := r.EarlyStop; e != nil && !e.Recorded {
		detail += fmt.Sprintf("; stopped early at %s of %s: %s certain", seconds(e.AtS), seconds(e.PlannedS), e.Criterion)
	}
	return results.Printable(fmt.Sprintf("[%d/%d] %s: %s%s after %s, %s%s", i, n, r.ID, verdict, r.Outcome,
		r.Ended.Sub(r.Started).Round(time.Second), peak, detail))
}

// seconds spells a number of seconds as a duration rounded to the second.
func seconds(s float64) time.Duration { return time.Duration(s+0.5) * time.Second }
