package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// errDied is returned by waitReady when the target exits first.
var errDied = errors.New("target exited before it was ready")

// waitReady polls url until it answers 200, the target dies (done closes),
// or timeout passes.
func waitReady(ctx context.Context, url string, timeout time.Duration, done <-chan struct{}) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return errDied
		case <-deadline.C:
			return fmt.Errorf("not ready after %s: %v", timeout, last)
		case <-tick.C:
		}
	}
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the target binds it; the target then fails to start and
// the cell reports that.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
