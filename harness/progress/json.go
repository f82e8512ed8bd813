package progress

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

var _ runner.Observer = (*JSON)(nil)

// Event names of the JSON log, one per runner call.
const (
	EventRunStarted  = "run_started"
	EventCellStarted = "cell_started"
	EventSample      = "sample"
	EventCellEnded   = "cell_ended"
	EventWarning     = "warning"
)

// Event is one line of the JSON log. Fields that do not apply to an event
// are left out.
type Event struct {
	Time    time.Time `json:"time"`
	Event   string    `json:"event"`
	Run     string    `json:"run,omitempty"`
	Backend string    `json:"backend,omitempty"`
	Index   int       `json:"index,omitempty"` // 1-based position of the cell
	Total   int       `json:"total,omitempty"` // cells in this run (or shard)
	Cell    string    `json:"cell,omitempty"`
	Target  string    `json:"target,omitempty"`

	Axes     map[string]string `json:"axes,omitempty"`
	Duration float64           `json:"duration_s,omitempty"`
	RAMLimit int64             `json:"ram_limit,omitempty"`

	Sample *results.Sample `json:"sample,omitempty"`

	Outcome results.Outcome `json:"outcome,omitempty"`
	Verdict results.Verdict `json:"verdict,omitempty"` // when the cell was judged as it ended
	Detail  string          `json:"detail,omitempty"`
	Elapsed float64         `json:"elapsed_s,omitempty"`
	PeakRSS int64           `json:"peak_rss,omitempty"`
	// PeakCgroup is the cgroup's high-water mark (memory.max_usage_in_bytes,
	// memory.peak), read as the target ended: the real peak of a target
	// killed between two samples.
	PeakCgroup int64 `json:"peak_cgroup,omitempty"`
	OOMKills   int64 `json:"oom_kills,omitempty"`
	Samples    int   `json:"samples,omitempty"`

	Message string `json:"message,omitempty"`
}

// JSON writes one JSON object per line for every runner event, for log
// pipelines. Lines are written whole, under a lock.
type JSON struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
}

// NewJSON writes events to w, stamped by now (nil: time.Now).
func NewJSON(w io.Writer, now func() time.Time) *JSON {
	if now == nil {
		now = time.Now
	}
	return &JSON{enc: json.NewEncoder(w), now: now}
}

func (j *JSON) emit(e Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Time = j.now().UTC()
	_ = j.enc.Encode(e) // a log line that cannot be written is not worth failing a soak
}

func (j *JSON) RunStarted(run *results.Run, cells []matrix.Cell) {
	j.emit(Event{Event: EventRunStarted, Run: run.ID, Backend: run.Backend, Total: len(cells)})
}

func (j *JSON) CellStarted(i, n int, c matrix.Cell) {
	j.emit(Event{Event: EventCellStarted, Index: i, Total: n, Cell: c.ID, Target: c.Target,
		Axes: c.Axes, Duration: c.Duration.Seconds(), RAMLimit: c.RAM})
}

func (j *JSON) Sampled(c matrix.Cell, s results.Sample) {
	j.emit(Event{Event: EventSample, Cell: c.ID, Target: c.Target, Sample: &s})
}

func (j *JSON) CellEnded(i, n int, r *results.Cell) {
	j.emit(Event{Event: EventCellEnded, Index: i, Total: n, Cell: r.ID, Target: r.Target,
		Outcome: r.Outcome, Verdict: r.Verdict, Detail: r.Detail, Elapsed: r.Ended.Sub(r.Started).Seconds(),
		PeakRSS: r.PeakRSS, PeakCgroup: r.PeakCgroup, OOMKills: r.OOMKills, Samples: r.Samples})
}

func (j *JSON) Warn(msg string) {
	j.emit(Event{Event: EventWarning, Message: msg})
}
