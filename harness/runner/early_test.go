package runner

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// stopAt is a Watcher that decides at its n-th sample.
type stopAt struct {
	n, seen  int32
	recorded bool
	planned  atomic.Value // results.Cell the factory was given
}

func (s *stopAt) Add(x results.Sample) *results.EarlyStop {
	s.seen++
	if s.seen != s.n {
		return nil
	}
	return &results.EarlyStop{AtS: x.T, Criterion: "leak", Message: "leak certain", Recorded: s.recorded}
}

// TestWatcherStopsCell: a watcher's stop ends the cell long before its
// planned minute, completed, with the stop recorded; a recorded stop is
// only written down and the cell runs to its end.
func TestWatcherStopsCell(t *testing.T) {
	cases := []struct {
		name     string
		recorded bool
		duration time.Duration
	}{
		// Stops at the 3rd sample of a minute-long cell.
		{"stop", false, time.Minute},
		// Record mode: the 3rd sample is noted, the 2 s cell runs on.
		{"record", true, 2 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			r := newRunner(t, dir, matrix.Target{Name: "serve"})
			w := &stopAt{n: 3, recorded: c.recorded}
			r.Watch = func(_ matrix.Cell, planned results.Cell) Watcher {
				w.planned.Store(planned)
				return w
			}
			run := &results.Run{Schema: results.SchemaVersion, ID: "t"}
			require.NoError(t, r.Run(context.Background(), run, []matrix.Cell{cell("serve", "serve", 64<<20, c.duration)}))
			got := run.Cells[0]
			assert.Equal(t, results.Completed, got.Outcome, got.Detail)
			require.NotNil(t, got.EarlyStop)
			assert.Equal(t, "leak", got.EarlyStop.Criterion)
			assert.Equal(t, c.recorded, got.EarlyStop.Recorded)
			planned := w.planned.Load().(results.Cell)
			assert.Equal(t, c.duration.Seconds(), planned.Duration, "the watcher sees the planned duration")
			assert.Equal(t, int64(64<<20), planned.RAMLimit)
			if c.recorded {
				assert.Greater(t, w.seen, int32(5), "ran on after the recorded stop")
				return
			}
			assert.Less(t, got.Ended.Sub(got.Started), 50*time.Second, "stopped well before the planned minute")
			onDisk, err := results.ReadRun(dir)
			require.NoError(t, err)
			require.NotNil(t, onDisk.Cells[0].EarlyStop, "run.json keeps the stop")
		})
	}
}
