package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// loopback is the transport of the harness's own requests to targets (the
// load has its own connections): keep-alive, and no gzip, which on loopback
// only costs CPU and, for a scrape, a 40 KiB decompressor each time.
var loopback = &http.Transport{
	Proxy:               nil,
	DisableCompression:  true,
	MaxIdleConnsPerHost: 2,
	IdleConnTimeout:     30 * time.Second,
}

// get fetches url from the target and hands a 200 body to read; what says
// what was fetched in errors ("scrape", "heap profile"). A nil client gets
// one with the given timeout over the loopback transport.
func get(ctx context.Context, c *http.Client, timeout time.Duration, url, what string, read func(io.Reader) error) error {
	if c == nil {
		c = &http.Client{Timeout: timeout, Transport: loopback}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return &StatusError{What: what, URL: url, Status: resp.Status}
	}
	return read(resp.Body)
}

// StatusError is a target's answer other than 200 OK: the target is up,
// and the path is wrong or broken.
type StatusError struct {
	What, URL, Status string
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s %s: %s", e.What, e.URL, e.Status) }
