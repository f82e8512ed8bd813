package matrix

import (
	"fmt"
	"strings"
	"time"
)

// Limits on what a matrix may ask soaklab itself to hold. Each bounds memory
// or goroutines in the harness (not in the target): a value past one is
// refused at validation with its position instead of exhausting the
// harness in the middle of a run.
const (
	// MaxFileSize caps a matrix file; a larger one is refused before it is
	// parsed.
	MaxFileSize = 10 << 20
	// MaxTasks caps the tasks axis for every target.
	MaxTasks = 1000000
	// MaxDriverTasks caps tasks for server targets: soaklab's driver runs a
	// goroutine and a connection per task.
	MaxDriverTasks = 10000
	// MaxRPS caps the rps axis.
	MaxRPS = 1000000
	// MaxOutstanding caps rps × workload timeout: how many requests could
	// be in flight or waiting if the target stopped answering.
	MaxOutstanding = 1000000
	// MaxBodySize caps one request's body (body_size or body_file): the
	// driver holds every body in memory for the whole run.
	MaxBodySize = 64 << 20
	// MaxLabels caps max_labels: each label holds latency histograms.
	MaxLabels = 1000
	// MaxRequests caps the entries of a request mix.
	MaxRequests = 1000
)

// checkText reports the first byte of s that may not appear in a request
// line or header (CR, LF, NUL and the other control characters but tab),
// or "" when s is clean. A CR or LF would let one request smuggle another.
func checkText(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return fmt.Sprintf("control character %q at byte %d", c, i)
		}
	}
	return ""
}

// checkPathText reports what may not appear in an HTTP path: control
// characters and spaces (percent-encode them).
func checkPathText(s string) string {
	if msg := checkText(s); msg != "" {
		return msg
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return fmt.Sprintf("whitespace at byte %d (percent-encode it as %%20)", i)
	}
	return ""
}

// isToken reports whether s is an HTTP token (a header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// checkLoad reports the cells whose load would exceed what soaklab's
// driver holds: tasks of a server target past MaxDriverTasks, and rps ×
// timeout past MaxOutstanding. One report per place.
func (d *decoder) checkLoad(m *Matrix, cells []Cell) {
	seen := map[string]bool{}
	for _, c := range cells {
		if c.Kind != KindServer {
			continue
		}
		w := m.Workload
		for i := range m.Targets {
			if m.Targets[i].Name == c.Target && m.Targets[i].Workload != nil {
				w = *m.Targets[i].Workload
			}
		}
		if c.Tasks > MaxDriverTasks {
			at := "value:tasks=" + c.Axes[AxisTasks]
			if !seen[at] {
				seen[at] = true
				d.errf(d.pos[at], "tasks: %d is more than soaklab's driver runs (at most %d: one goroutine and connection each), in cell %s", c.Tasks, MaxDriverTasks, c.ID)
			}
		}
		if out := c.RPS * w.Timeout.Seconds(); out > MaxOutstanding {
			at := "value:rps=" + c.Axes[AxisRPS]
			if !seen[at] {
				seen[at] = true
				d.errf(d.pos[at], "rps × timeout: %s × %s could leave %.0f requests outstanding (at most %d): lower rps or workload.timeout, in cell %s",
					c.Axes[AxisRPS], FormatDuration(w.Timeout.Round(time.Millisecond)), out, MaxOutstanding, c.ID)
			}
		}
	}
}
