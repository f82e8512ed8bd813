package runner

import (
	"fmt"
	"io"
	"sync"
)

// DefaultLogCap bounds each target's log file: a chatty target on a 24-hour
// soak must not fill the disk the results live on.
const DefaultLogCap = 16 << 20

// capWriter passes writes through until cap bytes, then writes one notice
// and drops the rest, counting what it dropped. Writes never fail, so a
// full log never stops a target that blocks on its stdout.
type capWriter struct {
	mu      sync.Mutex
	w       io.Writer
	left    int64
	dropped int64
}

func newCapWriter(w io.Writer, limit int64) *capWriter { return &capWriter{w: w, left: limit} }

func (c *capWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left <= 0 {
		c.dropped += int64(len(p))
		return len(p), nil
	}
	keep := p
	if int64(len(keep)) > c.left {
		keep = keep[:c.left]
	}
	n, _ := c.w.Write(keep)
	c.left -= int64(n)
	if c.left <= 0 {
		fmt.Fprintf(c.w, "\n[soaklab: log capped at %d bytes; further output dropped]\n", DefaultLogCap)
	}
	c.dropped += int64(len(p) - n)
	return len(p), nil
}

// Dropped is how many bytes were not written.
func (c *capWriter) Dropped() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}
