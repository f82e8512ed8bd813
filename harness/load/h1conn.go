package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// h1conn is one task's own keep-alive HTTP/1.1 connection. The driver
// speaks HTTP/1.1 directly on it: each request is one write of bytes
// serialised before the run, and each response is parsed and its body
// drained from a buffered reader in the task's own goroutine. There is no
// connection pool, no extra goroutine per connection and no allocation per
// request, which keeps the driver from being the bottleneck. Connections are
// re-dialled after an error or a "Connection: close".
type h1conn struct {
	addr    string
	dialer  net.Dialer
	timeout time.Duration
	conn    net.Conn
	br      *bufio.Reader
	scratch [256]byte // the start of an over-long line
	expires time.Time // the connection's current deadline
}

// errMalformed is a response the driver cannot parse.
var errMalformed = errors.New("load: malformed HTTP response")

func newH1conn(addr string, timeout time.Duration) *h1conn {
	return &h1conn{addr: addr, timeout: timeout, dialer: net.Dialer{Timeout: timeout}}
}

// serialize renders a request kind once: request line, headers and body.
func serialize(r *http.Request, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, r.URL.RequestURI(), r.URL.Host)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "Host" || k == "Content-Length" {
			continue
		}
		for _, v := range r.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	if _, ok := r.Header["User-Agent"]; !ok {
		b.WriteString("User-Agent: soaklab\r\n")
	}
	if body != nil || r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// roundTrip sends one serialised request and drains its response. When a
// reused connection turns out closed before any response byte, an
// idempotent request is sent once more on a new connection, as keep-alive
// clients do.
func (c *h1conn) roundTrip(raw []byte, head, idempotent bool, expect expected) errKind {
	for attempt := 0; ; attempt++ {
		reused := c.conn != nil
		if !reused {
			conn, err := c.dialer.Dial("tcp", c.addr)
			if err != nil {
				return classifyErr(err)
			}
			c.conn = conn
			if c.br == nil {
				c.br = bufio.NewReaderSize(conn, 16<<10)
			} else {
				c.br.Reset(conn)
			}
		}
		c.arm()
		code, keep, got, err := c.exchange(raw, head)
		if err != nil || !keep {
			c.close()
		}
		if err != nil {
			if idempotent && reused && !got && attempt == 0 && classifyErr(err) == errReset {
				continue // the server closed an idle connection: retry on a new one
			}
			return classifyErr(err)
		}
		return expect.classify(code)
	}
}

func (c *h1conn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
		c.expires = time.Time{}
	}
}

// deadlineSlack is the share of the timeout by which a deadline may be
// early: the connection's deadline is moved only when it would fall more
// than timeout/deadlineSlack before now+timeout, not on every request.
const deadlineSlack = 100

// arm makes sure the request about to be sent times out after between
// 99 % and 100 % of the timeout.
func (c *h1conn) arm() {
	want := time.Now().Add(c.timeout)
	if want.Sub(c.expires) > c.timeout/deadlineSlack {
		c.expires = want
		_ = c.conn.SetDeadline(want)
	}
}

// exchange writes the request and reads the response. got says whether any
// response byte arrived; keep whether the connection may be reused.
func (c *h1conn) exchange(raw []byte, head bool) (code int, keep, got bool, err error) {
	if _, err = c.conn.Write(raw); err != nil {
		return 0, false, false, err
	}
	for {
		line, err := c.line()
		if err != nil {
			return 0, false, len(line) > 0, err
		}
		// "HTTP/1.1 200 OK"
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
			return 0, false, true, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		code, err = atoi(line[9:12])
		if err != nil {
			return 0, false, true, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		keep = line[7] == '1' // HTTP/1.1 keeps alive unless told otherwise
		length, chunked, keep, err := c.headers(keep)
		if err != nil {
			return code, false, true, err
		}
		if code >= 100 && code < 200 {
			continue // interim response; the real one follows
		}
		switch {
		case head || code == http.StatusNoContent || code == http.StatusNotModified:
		case chunked:
			err = c.chunks()
		case length >= 0:
			_, err = c.br.Discard(int(length))
		default: // body runs to the end of the connection
			_, err = io.Copy(io.Discard, c.br)
			keep = false
		}
		return code, keep, true, err
	}
}

// headers reads the header block and returns the body's length (-1 when
// unknown), whether it is chunked and whether the connection stays open.
func (c *h1conn) headers(keep bool) (length int64, chunked, stay bool, err error) {
	length = -1
	for {
		line, err := c.line()
		if err != nil {
			return 0, false, false, err
		}
		if len(line) == 0 {
			return length, chunked, keep, nil
		}
		i := bytes.IndexByte(line, ':')
		if i < 0 {
			return 0, false, false, fmt.Errorf("%w: header %q", errMalformed, line)
		}
		name, value := line[:i], bytes.TrimSpace(line[i+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := atoi(value)
			if err != nil {
				return 0, false, false, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
			length = int64(n)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			} else if bytes.EqualFold(value, []byte("keep-alive")) {
				keep = true
			}
		}
	}
}

// chunks drains a chunked body and its trailers.
func (c *h1conn) chunks() error {
	for {
		line, err := c.line()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := hex(bytes.TrimSpace(line))
		if err != nil {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if size == 0 {
			for { // trailers up to the empty line
				line, err := c.line()
				if err != nil {
					return err
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		if _, err := c.br.Discard(size + 2); err != nil { // data and CRLF
			return err
		}
	}
}

// line returns the next line without its CRLF. Lines longer than the
// buffer are cut to its size; the rest is discarded.
func (c *h1conn) line() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		line = c.scratch[:copy(c.scratch[:], line)]
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = c.br.ReadSlice('\n')
		}
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return line, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// atoi parses a short decimal without allocating.
func atoi(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 18 {
		return 0, errMalformed
	}
	n := 0
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, errMalformed
		}
		n = n*10 + int(ch-'0')
	}
	return n, nil
}

// hex parses a chunk size without allocating.
func hex(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 15 {
		return 0, errMalformed
	}
	n := 0
	for _, ch := range b {
		switch {
		case ch >= '0' && ch <= '9':
			n = n<<4 | int(ch-'0')
		case ch >= 'a' && ch <= 'f':
			n = n<<4 | int(ch-'a'+10)
		case ch >= 'A' && ch <= 'F':
			n = n<<4 | int(ch-'A'+10)
		default:
			return 0, errMalformed
		}
	}
	return n, nil
}
