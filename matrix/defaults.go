package matrix

import "time"

// Defaults applied when matrix.yaml leaves a setting out.
const (
	DefaultBackend        = "process"
	DefaultInterval       = time.Second
	DefaultRepeats        = 1
	DefaultPortEnv        = "PORT"
	DefaultSinkEnv        = "SINK_URL"
	DefaultMethod         = "GET"
	DefaultWeight         = 1
	DefaultWarmupFraction = 0.1 // of the cell's duration, when a target sets no warmup
	// MaxCells caps an expansion, so a typo cannot ask for millions of cells.
	MaxCells = 100000
	// MaxRepeats caps `repeats:`.
	MaxRepeats = 1000
)

// DefaultReady is used for every target that sets no `ready:`.
var DefaultReady = Ready{Path: "/healthz", Timeout: 10 * time.Second}

// DefaultWorkload holds the workload settings used when left out. With no
// `requests:` the mix is DefaultRequest alone.
var DefaultWorkload = Workload{
	Timeout:   10 * time.Second,
	MaxLabels: 100,
	Window:    10 * time.Second,
	SampleN:   10,
}

// DefaultRequest is the mix when `workload.requests` is absent.
var DefaultRequest = Request{Label: "/", Method: DefaultMethod, Path: "/", Weight: DefaultWeight}

// DefaultAxes gives every well-known axis the matrix leaves out one value,
// so every cell has all of them (and its id shows them).
var DefaultAxes = []Axis{
	{Name: AxisTasks, Values: []string{"16"}},
	{Name: AxisRPS, Values: []string{"100"}},
	{Name: AxisDuration, Values: []string{"1m"}},
	{Name: AxisRAM, Values: []string{"256MiB"}},
	{Name: AxisPercentiles, Values: []string{"hdr"}},
}

// Percentile modes, the values of the percentiles axis.
var PercentileModes = []string{"hdr", "windowed", "sampled", "off"}

// Backends are the values of `backend:`.
var Backends = []string{"process", "docker", "auto"}

// Kinds are the target kinds.
var Kinds = []string{KindServer, KindClient, KindWorkload}
