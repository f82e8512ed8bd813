// Command steady is the control target: a well-behaved echo/JSON service
// whose memory stays flat under load. POST /echo streams the body through a
// SHA-256 and answers its length and digest; GET / answers a small JSON.
//
// Knobs: PORT (required), MAX_BODY (default 16MiB).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// DefaultMaxBody is the largest body /echo accepts.
const DefaultMaxBody = 16 << 20

func main() { serve.Main("steady", setup) }

func setup(env *serve.Env, app *serve.App) (func(context.Context), error) {
	h := newEcho(env.Size("MAX_BODY", DefaultMaxBody), app.Registry)
	app.Mux.HandleFunc("POST /echo", h.echo)
	app.Mux.HandleFunc("GET /{$}", h.index)
	return nil, nil
}

// echo answers /echo and / with constant memory per request.
type echo struct {
	maxBody  int64
	requests *prometheus.CounterVec
	bytes    prometheus.Counter
}

func newEcho(maxBody int64, reg prometheus.Registerer) *echo {
	e := &echo{
		maxBody: maxBody,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "steady_requests_total", Help: "Requests answered, by handler.",
		}, []string{"handler"}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "steady_echo_bytes_total", Help: "Request body bytes read by /echo.",
		}),
	}
	reg.MustRegister(e.requests, e.bytes)
	return e
}

// Summary is what /echo answers.
type Summary struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

func (e *echo) echo(w http.ResponseWriter, r *http.Request) {
	e.requests.WithLabelValues("echo").Inc()
	h := sha256.New()
	n, err := io.Copy(h, http.MaxBytesReader(w, r.Body, e.maxBody))
	e.bytes.Add(float64(n))
	if err != nil {
		code := http.StatusBadRequest
		if errors.As(err, new(*http.MaxBytesError)) {
			code = http.StatusRequestEntityTooLarge
		}
		http.Error(w, err.Error(), code)
		return
	}
	writeJSON(w, Summary{Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
}

func (e *echo) index(w http.ResponseWriter, _ *http.Request) {
	e.requests.WithLabelValues("index").Inc()
	writeJSON(w, map[string]any{"name": "steady", "ok": true})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
