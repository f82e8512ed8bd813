package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// recorded serves heap profiles recorded from targets/leaky (LEAK_RATE=4MiB/s,
// 2 s, 6 s and 10 s after it started): a request gets the next one, the
// last one over and over; after `after` requests it answers how
// gone says.
type recorded struct {
	t     *testing.T
	n     atomic.Int32
	after int32
	gone  string // "" (never gone), "500", "hang" (until the request is cancelled)
}

func (rc *recorded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := rc.n.Add(1)
	if rc.gone != "" && n > rc.after {
		switch rc.gone {
		case "hang":
			<-r.Context().Done()
			return
		default:
			http.Error(w, "gone", http.StatusInternalServerError)
			return
		}
	}
	files := []string{"leaky-first.pb.gz", "leaky-mid.pb.gz", "leaky-last.pb.gz"}
	data, err := os.ReadFile(filepath.Join("testdata", files[min(int(n), len(files))-1]))
	if !assert.NoError(rc.t, err) {
		return
	}
	_, _ = w.Write(data)
}

func serveRecorded(t *testing.T, rc *recorded) string {
	rc.t = t
	mux := http.NewServeMux()
	mux.Handle("/debug/pprof/heap", rc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/debug/pprof/heap"
}

// waitTaken waits until h has taken n profiles (generous: the machine may be busy).
func waitTaken(t *testing.T, h *heapDiff, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.taken >= n
	}, time.Minute, 5*time.Millisecond, "profiles taken")
}

func TestHeapDiffKilledCellNamesSite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		after       int32
		gone        string
		first, last string // why the two compared profiles were taken
		files       []string
	}{
		// OOM-killed after a periodic profile (its endpoint then answers
		// 500): the newest against the baseline at the end of warm-up.
		{"after a periodic profile", 3, "500", "end of warm-up", "every 20ms",
			[]string{results.HeapBaselineFile, results.HeapLastFile, results.HeapStartFile}},
		// a stuck endpoint: the request in flight is abandoned, finish does not wait for it.
		{"endpoint hangs", 3, "hang", "end of warm-up", "every 20ms",
			[]string{results.HeapBaselineFile, results.HeapLastFile, results.HeapStartFile}},
		// killed right after its warm-up: nothing after the baseline, so
		// the baseline against the start.
		{"right after warm-up", 2, "500", "target ready", "end of warm-up",
			[]string{results.HeapBaselineFile, results.HeapStartFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := serveRecorded(t, &recorded{after: tt.after, gone: tt.gone})
			dir := t.TempDir()
			var warned []string
			var mu sync.Mutex
			h := newHeapDiff(url, dir, time.Now(), 20*time.Millisecond, func(s string) { mu.Lock(); warned = append(warned, s); mu.Unlock() })
			h.timeout = time.Hour // only cancelling ends a hung request
			h.run(context.Background(), 0)
			waitTaken(t, h, int(tt.after))
			for i := 0; i < 100; i++ { // sampling goes on and is never held up by a profile in flight
				h.sampled(int64(i), 1000)
			}
			sites, info, err := h.finish(false)
			require.NoError(t, err, "no end-of-cell profile is asked of a dead target")
			require.NotEmpty(t, sites)
			assert.Equal(t, "main.(*monitor).record", sites[0].Function)
			assert.Greater(t, sites[0].Delta, int64(10<<20), "≈16 MiB leaked between two recorded profiles")
			require.NotNil(t, info)
			assert.Equal(t, int(tt.after), info.Taken)
			assert.Equal(t, tt.first, info.First)
			assert.Equal(t, tt.last, info.Last)
			assert.GreaterOrEqual(t, info.LastS, info.FirstS)
			assert.Empty(t, warned, "a 500 is not a wrong pprof prefix worth a warning")
			assert.Equal(t, tt.files, files(t, dir))
			assert.Contains(t, tt.files, info.FirstFile)
			assert.Contains(t, tt.files, info.LastFile)
		})
	}
}

func TestHeapDiffKeepsThreeProfiles(t *testing.T) {
	t.Parallel()
	rc := &recorded{}
	url := serveRecorded(t, rc)
	dir := t.TempDir()
	h := newHeapDiff(url, dir, time.Now(), 5*time.Millisecond, nil)
	h.run(context.Background(), 0)
	waitTaken(t, h, 20)
	sites, info, err := h.finish(true)
	require.NoError(t, err)
	assert.Equal(t, []string{results.HeapBaselineFile, results.HeapLastFile, results.HeapStartFile}, files(t, dir),
		"only the start, the baseline and the newest are on disk")
	for file, served := range map[string]string{
		results.HeapStartFile:    "leaky-first.pb.gz", // kept as served
		results.HeapBaselineFile: "leaky-mid.pb.gz",
		results.HeapLastFile:     "leaky-last.pb.gz", // the newest replaces the one before
	} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join("testdata", served))
		require.NoError(t, err)
		assert.Equal(t, want, got, file)
	}
	require.NotEmpty(t, sites)
	assert.Equal(t, "main.(*monitor).record", sites[0].Function)
	assert.Equal(t, "end of warm-up", info.First)
	assert.Equal(t, "end of cell", info.Last)
	assert.Equal(t, results.HeapLastFile, info.LastFile)
	assert.GreaterOrEqual(t, info.Taken, 21)
}

func TestHeapDiffLevelsTakeProfiles(t *testing.T) {
	t.Parallel()
	url := serveRecorded(t, &recorded{})
	h := newHeapDiff(url, "", time.Now(), time.Hour, nil) // no periodic profile within the test
	h.run(context.Background(), 0)
	waitTaken(t, h, 2) // the start and the baseline
	h.sampled(40, 100) // under every level: nothing
	h.sampled(95, 100) // crosses 50, 75 and 90 % at once: one profile, named after the highest
	waitTaken(t, h, 3)
	h.sampled(99, 100) // every level already crossed: nothing more
	_, info, err := h.finish(false)
	require.NoError(t, err)
	assert.Equal(t, "memory at 90 % of the limit", info.Last)
	assert.Equal(t, 3, info.Taken)
}

func TestHeapDiffNoSites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rc    *recorded
		alive bool
		warn  string
		err   string // why none was taken
	}{
		// a wrong pprof prefix: a warning that says so, and no sites.
		{"wrong prefix", &recorded{gone: "500"}, true, "answers 500", "500 Internal Server Error"},
		// an endpoint that never answered before the cell ended: nothing to compare.
		{"stuck at once", &recorded{gone: "hang"}, false, "", "no answer before the cell ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := serveRecorded(t, tt.rc)
			var warned atomic.Value
			warned.Store("")
			h := newHeapDiff(url, t.TempDir(), time.Now(), time.Hour, func(s string) { warned.Store(s) })
			h.run(context.Background(), time.Hour)
			if tt.warn != "" {
				require.Eventually(t, func() bool { return warned.Load().(string) != "" }, time.Minute, 5*time.Millisecond)
			}
			sites, info, err := h.finish(tt.alive)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "none taken from "+url)
			assert.Contains(t, err.Error(), tt.err)
			assert.Empty(t, sites)
			assert.Nil(t, info)
			assert.Contains(t, warned.Load().(string), tt.warn)
		})
	}
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}
