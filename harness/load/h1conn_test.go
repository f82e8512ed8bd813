package load

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canned serves the same raw response to every request on a loopback
// port, reading each request's head first; closeAfter closes the
// connection after that many responses (0 = never).
func canned(t *testing.T, response string, closeAfter int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for n := 1; ; n++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if _, err := io.WriteString(conn, response); err != nil {
						return
					}
					if n == closeAfter {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestH1Responses(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 40<<10)
	tests := []struct {
		name       string
		response   string
		closeAfter int
		head       bool
		want       errKind
	}{
		// plain keep-alive response with a length
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, false, errNone},
		// chunked body with an extension and a trailer
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n", 0, false, errNone},
		// interim 100 Continue before the real response
		{"continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 0, false, errNone},
		// HEAD: a length but no body
		{"head", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 0, true, errNone},
		// a header line longer than the read buffer
		{"long header", "HTTP/1.1 200 OK\r\nX-Long: " + long + "\r\nContent-Length: 2\r\n\r\nok", 0, false, errNone},
		// Connection: close, then the server really closes: re-dial each time
		{"close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 1, false, errNone},
		// server silently drops idle keep-alive connections: retried on a new one
		{"stale keep-alive", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1, false, errNone},
		// HTTP/1.0 body delimited by the end of the connection
		{"until close", "HTTP/1.0 200 OK\r\n\r\nbody to the end", 1, false, errNone},
		// status classes
		{"503", "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", 0, false, errHTTP5xx},
		// garbage is neither success nor a network error
		{"garbage", "SSH-2.0-nope\r\n\r\n", 0, false, errOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newH1conn(canned(t, tt.response, tt.closeAfter), time.Second)
			defer c.close()
			method := http.MethodGet
			if tt.head {
				method = http.MethodHead
			}
			req, _ := http.NewRequest(method, "http://"+c.addr+"/p?q=1", nil)
			raw := serialize(req, nil)
			for i := range 3 { // the same connection, or a fresh one, serves each
				assert.Equal(t, tt.want, c.roundTrip(raw, tt.head, true, nil), "request %d", i)
			}
		})
	}
}

func TestSerialize(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("http://127.0.0.1:8080/a/b?x=1")
	req := &http.Request{Method: http.MethodPost, URL: u, Header: http.Header{"X-B": {"2"}, "X-A": {"1"}}}
	got := string(serialize(req, []byte("body")))
	want := "POST /a/b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: 1\r\nX-B: 2\r\nUser-Agent: soaklab\r\nContent-Length: 4\r\n\r\nbody"
	assert.Equal(t, want, got)
}
