package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultAddr is where Serve listens when given "": the port Prometheus
// exporters conventionally leave free for one-off tools, on loopback.
const DefaultAddr = "127.0.0.1:9464"

// MetricsPath is the path the metrics are served at.
const MetricsPath = "/metrics"

// ProfilePath is where soaklab's own Go profiles are served (heap, allocs,
// goroutine, profile, trace: the net/http/pprof handlers), so a long run's
// harness can be profiled while it runs.
const ProfilePath = "/debug/pprof/"

// ErrNotLoopback is returned by Serve for an address that would listen
// beyond this machine.
var ErrNotLoopback = errors.New("live metrics listen on loopback only (127.0.0.1, ::1 or localhost)")

// ErrServing is returned by a second Serve on the same Exporter.
var ErrServing = errors.New("live metrics already served")

type server struct {
	srv  *http.Server
	done chan struct{}
}

// Serve listens on addr (host:port; "" means DefaultAddr; port 0 picks a
// free one) and serves the metrics, and soaklab's own profiles under
// ProfilePath, in the background until Close. It returns the URL to scrape.
func (e *Exporter) Serve(addr string) (string, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	if err := CheckLoopback(addr); err != nil {
		return "", err
	}
	e.serveMu.Lock()
	defer e.serveMu.Unlock()
	if e.server != nil {
		return "", fmt.Errorf("%w: %s", ErrServing, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("live metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(MetricsPath, promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{Registry: e.reg}))
	mux.HandleFunc(ProfilePath, pprof.Index)
	mux.HandleFunc(ProfilePath+"cmdline", pprof.Cmdline)
	mux.HandleFunc(ProfilePath+"profile", pprof.Profile)
	mux.HandleFunc(ProfilePath+"symbol", pprof.Symbol)
	mux.HandleFunc(ProfilePath+"trace", pprof.Trace)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "soaklab live metrics: %s\nsoaklab's own profiles: %s\n", MetricsPath, ProfilePath)
	})
	s := &server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	e.server = s
	return "http://" + ln.Addr().String() + MetricsPath, nil
}

// Close stops serving and waits for the server goroutine to end. It is
// safe to call without Serve and more than once.
func (e *Exporter) Close() error {
	e.serveMu.Lock()
	defer e.serveMu.Unlock()
	if e.server == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := e.server.srv.Shutdown(ctx)
	if err != nil {
		err = e.server.srv.Close()
	}
	<-e.server.done
	e.server = nil
	return err
}

// CheckLoopback returns ErrNotLoopback (wrapped with addr) unless addr's
// host is a loopback IP or "localhost". An empty host (":9464") would
// listen on every interface and is refused too.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("live metrics: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrNotLoopback, addr)
}
