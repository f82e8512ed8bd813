// Command leaky leaks memory and goroutines at configured rates, the way a
// service does whose runners start a monitoring goroutine each and never
// stop it: a ticker-driven runner starts monitors that never exit, and each
// monitor keeps every sample it records. The leaked bytes are written, so
// RSS grows, and they are allocated in (*monitor).record so a heap-profile
// diff names that function. It also serves POST /echo so it can take load.
//
// Knobs: PORT (required), LEAK_RATE (default 1MiB/min), LEAK_GOROUTINES
// (default 10/min), MAX_BODY (default 16MiB).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// Defaults of the knobs.
const (
	DefaultLeakRate       = float64(1<<20) / 60 // bytes per second: 1MiB/min
	DefaultLeakGoroutines = 10.0 / 60           // monitors per second: 10/min
	DefaultMaxBody        = 16 << 20
)

func main() { serve.Main("leaky", setup) }

func setup(env *serve.Env, app *serve.App) (func(context.Context), error) {
	r := newRunner(env.Rate("LEAK_RATE", DefaultLeakRate),
		env.CountRate("LEAK_GOROUTINES", DefaultLeakGoroutines), app.Registry)
	maxBody := env.Size("MAX_BODY", DefaultMaxBody)
	app.Mux.HandleFunc("POST /echo", func(w http.ResponseWriter, req *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, http.MaxBytesReader(w, req.Body, maxBody))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"bytes": n, "sha256": hex.EncodeToString(h.Sum(nil))})
	})
	return r.run, nil
}
