package load

import (
	"bytes"
	"net"
	"sync/atomic"
)

// refusalListener counts the requests net/http refuses before a handler
// sees them. net/http answers a malformed request (bad request line,
// header or size) by writing "HTTP/1.1 4xx ..." or "5xx" straight to the
// connection and closing it; it offers no hook for that, so the sink's
// connections watch their own writes. The sink's handler only ever
// answers 200, and each of those responses is buffered and written from
// its start line or past it, so a write opening with a 4xx or 5xx start
// line is always net/http's own refusal.
type refusalListener struct {
	net.Listener
	refused *atomic.Int64
}

func (l *refusalListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &refusalConn{Conn: c, refused: l.refused}, nil
}

type refusalConn struct {
	net.Conn
	refused *atomic.Int64
}

var (
	refusal4xx = []byte("HTTP/1.1 4")
	refusal5xx = []byte("HTTP/1.1 5")
)

func (c *refusalConn) Write(b []byte) (int, error) {
	if bytes.HasPrefix(b, refusal4xx) || bytes.HasPrefix(b, refusal5xx) {
		c.refused.Add(1)
	}
	return c.Conn.Write(b)
}
