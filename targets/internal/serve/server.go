// Package serve holds what every sample target shares: knobs read strictly
// from the environment, a loopback-only listener on $PORT, /healthz,
// Prometheus /metrics, /debug/pprof and graceful shutdown on SIGTERM/SIGINT.
package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Host is the only address a target listens on.
const Host = "127.0.0.1"

// DefaultShutdownGrace is how long in-flight requests get after SIGTERM.
const DefaultShutdownGrace = 5 * time.Second

// ErrAddr is wrapped around a PORT that is missing, malformed or names a
// host other than 127.0.0.1.
var ErrAddr = errors.New("bad listen address")

// Addr turns the PORT variable into a 127.0.0.1 listen address. PORT may be
// a bare port or "127.0.0.1:port"; any other host is refused.
func Addr(port string) (string, error) {
	p := strings.TrimSpace(port)
	if p == "" {
		return "", fmt.Errorf("%w: PORT is required", ErrAddr)
	}
	if host, pp, err := net.SplitHostPort(p); err == nil {
		if host != Host {
			return "", fmt.Errorf("%w: PORT=%q: only %s is allowed", ErrAddr, port, Host)
		}
		p = pp
	} else if strings.Contains(p, ":") {
		return "", fmt.Errorf("%w: PORT=%q: %v", ErrAddr, port, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%w: PORT=%q: want 1-65535", ErrAddr, port)
	}
	return net.JoinHostPort(Host, strconv.Itoa(n)), nil
}

// App is a target's HTTP side: a mux already holding /healthz, /metrics and
// /debug/pprof/, and the registry /metrics serves.
type App struct {
	Name     string
	Mux      *http.ServeMux
	Registry *prometheus.Registry
}

// New returns an App whose registry holds the Go collector (go_goroutines,
// go_memstats_*) and the process collector (process_resident_memory_bytes).
func New(name string) *App {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return &App{Name: name, Mux: mux, Registry: reg}
}

// Serve answers on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a.Mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), DefaultShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Connections still busy (or opened and never used) after the
		// grace are cut: stopping is what SIGTERM asked for.
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
