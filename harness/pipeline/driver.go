package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/soaklab/soaklab/harness/load"
	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

// driver adapts the load driver to the runner.
type driver struct{ d *load.Driver }

func (d driver) Run(ctx context.Context) (*results.Load, error) { return d.d.Run(ctx) }

func (d driver) Interval() probe.LoadWindow {
	s := d.d.Interval()
	return probe.LoadWindow{Requests: s.Requests, Errors: s.Errors, RPS: s.RPS, P50: s.P50, P99: s.P99, P99Raw: s.P99Raw, Latency: s.Latency}
}

// driverFactory builds each cell's driver from the matrix's workload;
// body files resolve against workDir and are read once.
func driverFactory(workDir string) runner.DriverFactory {
	bodies := map[string][]byte{}
	return func(baseURL string, w matrix.Workload, c matrix.Cell) (runner.Driver, error) {
		mix := make([]load.Request, 0, len(w.Requests))
		for _, r := range w.Requests {
			req := load.Request{Label: r.Label, Method: r.Method, Path: r.Path, Weight: r.Weight, Header: http.Header{}, Expect: r.Expect}
			for k, v := range r.Headers {
				req.Header.Set(k, v)
			}
			switch {
			case r.BodyFile != "":
				p := r.BodyFile
				if !filepath.IsAbs(p) {
					p = filepath.Join(workDir, p)
				}
				b, ok := bodies[p]
				if !ok {
					var err error
					if b, err = os.ReadFile(p); err != nil {
						return nil, fmt.Errorf("request %q: body_file: %w", r.Label, err)
					}
					bodies[p] = b
				}
				req.Body = b
			case r.BodySize > 0:
				req.Body = body(r.BodySize)
			}
			mix = append(mix, req)
		}
		d, err := load.New(load.Config{BaseURL: baseURL, Rate: c.RPS, Tasks: c.Tasks, Duration: c.Duration,
			Ramp: w.Ramp, Burst: w.Burst, Pause: w.Pause, Timeout: w.Timeout, Mix: mix, Mode: load.Mode(c.Percentiles), Window: w.Window,
			SampleN: w.SampleN, MaxLabels: w.MaxLabels})
		if err != nil {
			return nil, err
		}
		return driver{d}, nil
	}
}

// body is a generated request body of n bytes: printable, JSON-safe text.
func body(n int64) []byte {
	const pattern = "soaklab-payload-0123456789abcdefghijklmnopqrstuvwxyz "
	b := make([]byte, n)
	for i := range b {
		b[i] = pattern[i%len(pattern)]
	}
	return b
}

// sink adapts the load package's sink to the runner.
type sink struct {
	s   *load.Sink
	url string
}

func (s *sink) URL() string  { return s.url }
func (s *sink) Close() error { return s.s.Close() }

// Interval is what the client sent since the last sample: its requests,
// errors, body bytes and rate, which the samples and the progress line
// show as the client's load.
func (s *sink) Interval() probe.LoadWindow {
	w := s.s.Interval()
	return probe.LoadWindow{Requests: w.Requests, Errors: w.Errors, Bytes: w.Bytes, RPS: w.RPS}
}

// Received is everything the sink received, as a cell's load (the runner
// sets its mode, requested rate and duration).
func (s *sink) Received() results.Load {
	st := s.s.Stats()
	l := results.Load{Completed: st.Requests, Errors: st.Errors(), Sent: st.Requests + st.Errors(), Bytes: st.Bytes}
	if st.Errors() > 0 {
		l.ErrorsByKind = map[string]int64{}
		if st.BadRequests > 0 {
			l.ErrorsByKind["bad-request"] = st.BadRequests
		}
		if st.CutShort > 0 {
			l.ErrorsByKind["cut-short"] = st.CutShort
		}
	}
	return l
}

func newSink(matrix.Cell) (runner.Sink, error) {
	s := load.NewSink()
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &sink{s: s, url: url}, nil
}
