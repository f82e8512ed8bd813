package runner

import (
	"context"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// Driver sends load at a server target for one cell.
type Driver interface {
	Run(ctx context.Context) (*results.Load, error)
	Interval() probe.LoadWindow
}

// DriverFactory makes the driver of a cell; baseURL is
// http://127.0.0.1:<port>.
type DriverFactory func(baseURL string, w matrix.Workload, c matrix.Cell) (Driver, error)

// Sink receives the load a client target generates.
type Sink interface {
	URL() string
	// Interval is what the sink received since its previous call: the
	// client's requests, errors, bytes and rate over the last sample.
	Interval() probe.LoadWindow
	// Received is everything it received so far: Sent, Completed, Errors
	// (by kind) and Bytes.
	Received() results.Load
	Close() error
}

// SinkFactory starts a sink on loopback for one cell.
type SinkFactory func(c matrix.Cell) (Sink, error)
