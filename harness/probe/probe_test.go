package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/procfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
)

func TestProcsReadSelf(t *testing.T) {
	t.Parallel()
	p, err := NewProcs("/proc")
	require.NoError(t, err)
	var s = takeProcs(t, p, os.Getpid())
	assert.Greater(t, s.RSS, int64(1<<20))
	assert.GreaterOrEqual(t, s.RSSPeak, s.RSS)
	assert.Greater(t, s.Threads, int64(1))
	rss, anon, err := p.RSS(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, anon, int64(0))
	assert.Less(t, anon, rss, "RSS also holds the test binary's file pages")
	_, _, err = p.RSS(1 << 30)
	assert.Error(t, err, "no such pid")
	_, err = NewProcs("/nonexistent-proc")
	assert.Error(t, err)
}

func TestSamplerReadsHarnessRuntime(t *testing.T) {
	t.Parallel()
	p, err := NewProcs("/proc")
	require.NoError(t, err)
	smp := (&Sampler{Procs: p, SelfPID: os.Getpid(), Runtime: ReadGoRuntime}).Take(context.Background())
	assert.Greater(t, smp.DriverRSS, smp.DriverAnon)
	assert.Greater(t, smp.DriverAnon, int64(0))
	assert.Greater(t, smp.DriverHeap, int64(0))
	assert.LessOrEqual(t, smp.DriverHeap, smp.DriverAnon, "live heap objects are resident anonymous memory")
	assert.Greater(t, smp.DriverGoroutines, int64(1))

	smp = (&Sampler{Procs: p}).Take(context.Background())
	assert.Zero(t, smp.DriverRSS+smp.DriverAnon+smp.DriverHeap+smp.DriverGoroutines, "nothing read without SelfPID and Runtime")
}

func takeProcs(t *testing.T, p Procs, pid int) (s struct{ RSS, RSSPeak, Threads int64 }) {
	smp := (&Sampler{Procs: p, PID: pid}).Take(context.Background())
	return struct{ RSS, RSSPeak, Threads int64 }{smp.RSS, smp.RSSPeak, smp.Threads}
}

func TestScrapeParse(t *testing.T) {
	t.Parallel()
	text := `# TYPE go_goroutines gauge
go_goroutines 42
# TYPE http_requests_total counter
http_requests_total{code="200"} 10
http_requests_total{code="500"} 5
# TYPE ops_total counter
ops_total 7
# TYPE lat histogram
lat_bucket{le="1"} 1
lat_bucket{le="+Inf"} 1
lat_sum 1
lat_count 1
`
	tests := []struct {
		name  string
		names []string
		max   int
		want  map[string]float64
	}{
		// defaults only: goroutines kept, other families ignored.
		{"defaults", nil, 0, map[string]float64{"go_goroutines": 42}},
		// a named counter split by label is summed.
		{"named-sum", []string{"http_requests_total", "ops_total"}, 0,
			map[string]float64{"go_goroutines": 42, "http_requests_total": 15, "ops_total": 7}},
		// histograms have no single value and are skipped; the cap holds.
		{"cap", []string{"lat", "http_requests_total", "ops_total"}, 2,
			map[string]float64{"go_goroutines": 42, "http_requests_total": 15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &Scraper{URL: "fixture", Names: tt.names, MaxSeries: tt.max}
			got, err := s.parse(strings.NewReader(text))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := (&Scraper{URL: "bad"}).parse(strings.NewReader("go_goroutines { prometheus"))
	assert.ErrorContains(t, err, "scrape bad", "a wanted family that does not parse")
	got, err := (&Scraper{URL: "other"}).parse(strings.NewReader("not { prometheus\ngo_goroutines 3\n"))
	require.NoError(t, err, "families not kept are not parsed")
	assert.Equal(t, map[string]float64{"go_goroutines": 3}, got)
}

func TestKeepLines(t *testing.T) {
	t.Parallel()
	wanted := map[string]bool{"go_goroutines": true, "lat": true, "ops_total": true}
	long := "big{l=\"" + strings.Repeat("x", 70<<10) + "\"} 1\n"
	tests := []struct {
		name, in, want string
	}{
		{"sample and its comments", "# HELP go_goroutines n\n# TYPE go_goroutines gauge\ngo_goroutines 4\n",
			"# HELP go_goroutines n\n# TYPE go_goroutines gauge\ngo_goroutines 4\n"},
		{"others dropped", "# TYPE go_threads gauge\ngo_threads 9\n# a comment\n\ngo_goroutines 4\n", "go_goroutines 4\n"},
		{"labels and tabs", "ops_total{code=\"200\"} 1\nops_total\t2\nops_totalx 3\n", "ops_total{code=\"200\"} 1\nops_total\t2\n"},
		{"histogram lines go with the family", "lat_bucket{le=\"1\"} 1\nlat_sum 1\nlat_count 1\nlatency_sum 1\n",
			"lat_bucket{le=\"1\"} 1\nlat_sum 1\nlat_count 1\n"},
		{"quoted names left to the parser", "{\"go.goroutines\"} 1\n", "{\"go.goroutines\"} 1\n"},
		{"last line without newline", "go_goroutines 4", "go_goroutines 4\n"},
		{"overlong line dropped", long + "go_goroutines 4\n", "go_goroutines 4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			require.NoError(t, keepLines(bufio.NewReaderSize(strings.NewReader(tt.in), 64<<10), &out, wanted))
			assert.Equal(t, tt.want, out.String())
		})
	}
}

func TestScrapeHTTP(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	got, err := (&Scraper{URL: srv.URL}).Scrape(context.Background())
	require.NoError(t, err)
	assert.Greater(t, got["go_goroutines"], 0.0)
	assert.Greater(t, got["go_memstats_heap_inuse_bytes"], 0.0)
	assert.Contains(t, names(got), "go_goroutines")

	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	_, err = (&Scraper{URL: notFound.URL}).Scrape(context.Background())
	assert.ErrorContains(t, err, "404")
}

var leaked [][]byte

//go:noinline
func leakForProfile(n int) {
	for i := 0; i < n; i++ {
		leaked = append(leaked, make([]byte, 64<<10))
	}
}

func heapProfile(t *testing.T) *profile.Profile {
	runtime.GC()
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("heap").WriteTo(&buf, 0))
	p, err := profile.Parse(&buf)
	require.NoError(t, err)
	return p
}

func TestGrowthNamesLeakingSite(t *testing.T) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	defer func() { runtime.MemProfileRate = old }()
	before := heapProfile(t)
	leakForProfile(64) // 4 MiB
	after := heapProfile(t)
	sites := Growth(before, after, 3)
	require.NotEmpty(t, sites)
	assert.Equal(t, "github.com/soaklab/soaklab/harness/probe.leakForProfile", sites[0].Function)
	assert.GreaterOrEqual(t, sites[0].Delta, int64(4<<20))
	assert.LessOrEqual(t, len(sites), 3)
	leaked = nil
}

func TestFetchHeap(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/heap", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "1", r.URL.Query().Get("gc"))
		_ = pprof.Lookup("heap").WriteTo(w, 0)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	p, err := FetchHeap(context.Background(), nil, srv.URL+"/debug/pprof/heap")
	require.NoError(t, err)
	assert.NotEmpty(t, p.SampleType)
	_, err = FetchHeap(context.Background(), nil, srv.URL+"/nope")
	assert.ErrorContains(t, err, "404")
	raw, p, err := FetchHeapRaw(context.Background(), nil, time.Minute, srv.URL+"/debug/pprof/heap")
	require.NoError(t, err)
	again, err := profile.ParseData(raw)
	require.NoError(t, err, "the profile is kept as served")
	assert.Equal(t, p.SampleType, again.SampleType)
}

func TestSamplerTake(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start.Add(5 * time.Second)
	procs, err := NewProcs("/proc")
	require.NoError(t, err)
	s := &Sampler{
		Procs:   procs,
		SelfPID: os.Getpid(),
		Memory: func() (target.Memory, error) {
			return target.Memory{Usage: 100, InactiveFile: 30, Anon: 60, File: 40, Peak: 120, OOMKills: 1, MajorFaults: 7,
				Shmem: 25, Kernel: 8, Sock: 3,
				Pressure: &target.Pressure{SomeAvg10: 3, FullAvg10: 1.5, SomeTotal: 900, FullTotal: 400}}, nil
		},
		Load:   func() LoadWindow { return LoadWindow{Requests: 10, Errors: 1, RPS: 10, P50: 1, P99: 9, P99Raw: 2} },
		Now:    func() time.Time { return now },
		Start:  start,
		Warmup: 10 * time.Second,
	}
	got := s.Take(context.Background())
	assert.Equal(t, 5.0, got.T)
	assert.Equal(t, "warmup", got.Phase)
	assert.Equal(t, int64(70), got.WorkingSet)
	assert.Equal(t, int64(120), got.CgroupPeak)
	assert.Equal(t, int64(1), got.OOMKills)
	assert.Equal(t, int64(7), got.MajorFaults)
	// anon 60 + shmem 25 (inside file's 40) + kernel 8 + sock 3; the file cache's other 15 stays out.
	assert.Equal(t, int64(96), got.Unreclaimable)
	assert.Equal(t, [3]int64{25, 8, 3}, [3]int64{got.Shmem, got.Kernel, got.Sock})
	assert.Equal(t, &results.MemPressure{SomeAvg10: 3, FullAvg10: 1.5, SomeUs: 900, FullUs: 400}, got.Pressure, "v2's memory.pressure")
	assert.Equal(t, 9.0, got.P99)
	assert.Greater(t, got.DriverRSS, int64(0))
	assert.Zero(t, got.RSS, "no target pid")

	now = start.Add(11 * time.Second)
	s.Memory = func() (target.Memory, error) { return target.Memory{}, errors.New("gone") }
	got = s.Take(context.Background())
	assert.Empty(t, got.Phase)
	assert.Nil(t, got.Pressure, "no reading, no pressure")
	assert.Zero(t, got.Usage, "a failed source leaves zeros")
}

func TestSamplerRunStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	s := &Sampler{Start: time.Now()}
	s.Run(ctx, time.Millisecond, func(_ results.Sample) {
		n++
		if n == 5 {
			cancel()
		}
	})
	assert.GreaterOrEqual(t, n, 5)
}

// BenchmarkTake measures what one reading of a live process costs the
// harness (procfs status + stat, cgroup files, own RSS).
func BenchmarkTake(b *testing.B) {
	procs, _ := NewProcs("/proc")
	s := &Sampler{Procs: procs, PID: os.Getpid(), SelfPID: os.Getpid(), Start: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		s.Take(context.Background())
	}
}

// BenchmarkScrape measures one scrape of a Go target's /metrics (Go and
// process collectors, rendered once and served as is) over loopback: the
// harness's own extra cost per interval of a target with `metrics:`.
func BenchmarkScrape(b *testing.B) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.Bytes()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	s := &Scraper{URL: srv.URL}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Scrape(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(body)), "body_bytes")
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    status
		wantErr string
	}{
		{"process", "Name:\tx\nVmHWM:\t   12 kB\nVmRSS:\t  10 kB\nRssAnon:\t 6 kB\nRssFile:\t4 kB\nThreads:\t7\n",
			status{VmRSS: 10 << 10, VmHWM: 12 << 10, RssAnon: 6 << 10, RssFile: 4 << 10, Threads: 7}, ""},
		// a kernel thread or a zombie has no Vm lines
		{"no memory", "Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1", status{Threads: 1}, ""},
		{"no newline at the end", "VmRSS:\t1 kB", status{VmRSS: 1024}, ""},
		{"garbled", "VmRSS:\tlots kB\n", status{}, `VmRSS: "lots" is not a number`},
		{"negative", "Threads:\t-1\n", status{}, `Threads: "-1" is not a number`},
		{"empty", "", status{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStatus([]byte(tt.in))
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestProcsFixture(t *testing.T) {
	t.Parallel()
	p, err := NewProcs("testdata/proc")
	require.NoError(t, err)
	var s results.Sample
	require.NoError(t, p.Read(42, &s))
	assert.Equal(t, results.Sample{RSS: 10 << 20, RSSPeak: 12800 << 10, RSSAnon: 6 << 20, RSSFile: 4 << 20, Threads: 7}, s)
	rss, anon, err := p.RSS(42)
	require.NoError(t, err)
	assert.Equal(t, []int64{10 << 20, 6 << 20}, []int64{rss, anon})
	err = p.Read(43, &s)
	assert.ErrorIs(t, err, os.ErrNotExist, "no such pid in the fixture")
}

func TestReadStatusAllocatesOnlyTheFile(t *testing.T) {
	const path = "testdata/proc/42/status"
	open := testing.AllocsPerRun(100, func() {
		f, _ := os.Open(path)
		f.Close()
	})
	read := testing.AllocsPerRun(100, func() { _, _ = readStatus(path) })
	assert.Equal(t, open, read, "what opening the file costs, nothing for its contents")
}

// TestStatusMatchesProcfs reads a live, idle process with both parsers:
// once it has settled, two procfs reads around ours agree with it.
func TestStatusMatchesProcfs(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sleep", "30")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	fs, err := procfs.NewFS("/proc")
	require.NoError(t, err)
	proc, err := fs.Proc(cmd.Process.Pid)
	require.NoError(t, err)
	viaProcfs := func() status {
		st, err := proc.NewStatus()
		require.NoError(t, err)
		stat, err := proc.Stat()
		require.NoError(t, err)
		return status{VmRSS: int64(st.VmRSS), VmHWM: int64(st.VmHWM), RssAnon: int64(st.RssAnon),
			RssFile: int64(st.RssFile), Threads: int64(stat.NumThreads),
			Voluntary: int64(st.VoluntaryCtxtSwitches), Nonvoluntary: int64(st.NonVoluntaryCtxtSwitches)}
	}
	var before, got, after status
	require.Eventually(t, func() bool {
		before = viaProcfs()
		got, err = readStatus("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
		require.NoError(t, err)
		after = viaProcfs()
		return before == after && before.RssFile > 0 // sleep's own pages mapped: exec'd and settled
	}, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, before, got)
	assert.Positive(t, got.VmRSS)
}
