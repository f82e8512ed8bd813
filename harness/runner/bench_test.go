package runner

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/matrix"
)

// gone is a backend whose targets have exited by the time Start returns:
// the runner's per-cell bookkeeping (directories, log, samples file,
// result.json, the observer) with no target time at all.
type gone struct{}

func (gone) Name() string { return "gone" }
func (gone) Start(context.Context, target.Spec) (target.Instance, error) {
	return goneInstance{}, nil
}

type goneInstance struct{}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (goneInstance) PID() int                       { return 0 }
func (goneInstance) Memory() (target.Memory, error) { return target.Memory{}, nil }
func (goneInstance) Done() <-chan struct{}          { return closed }
func (goneInstance) Exit() target.Exit              { return target.Exit{Code: 0, At: time.Now()} }
func (goneInstance) Stop(context.Context) error     { return nil }
func (goneInstance) Enforcement() string            { return "none" }

// BenchmarkRunCells runs 1k, 10k and 100k cells that end at once and
// reports the cost per cell: time, and the harness's peak RSS (VmHWM of
// this process: run one size per process to read it alone, e.g.
//
//	go test -run '^$' -bench 'RunCells/cells=100000$' -benchtime 1x ./harness/runner
//
// A per-cell cost that stays flat from 1k to 100k cells is the point.
func BenchmarkRunCells(b *testing.B) {
	procs, err := probe.NewProcs("/proc")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("cells=%d", n), func(b *testing.B) {
			cells := make([]matrix.Cell, n)
			for i := range cells {
				v := strconv.Itoa(i)
				cells[i] = matrix.Cell{ID: "t/i=" + v + ",duration=1s,ram=64MiB", Target: "t",
					Axes: map[string]string{"i": v, "duration": "1s", "ram": "64MiB"}, RAM: 64 << 20, Duration: time.Second}
			}
			m := &matrix.Matrix{Interval: time.Second, Targets: []matrix.Target{{Name: "t", Kind: matrix.KindWorkload, Command: []string{"true"}}}}
			cpu0 := cpuTime()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				dir := b.TempDir()
				r := &Runner{Backend: gone{}, Matrix: m, WorkDir: dir, Dir: dir, Procs: procs, SelfPID: os.Getpid()}
				run := &results.Run{Schema: results.SchemaVersion, ID: "bench"}
				b.StartTimer()
				if err := r.Run(context.Background(), run, cells); err != nil {
					b.Fatal(err)
				}
				if _, err := results.ReadRun(dir); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/cell")
			// CPU time is steadier than wall time on a shared machine, where
			// each cell's fsync waits on everyone's disk writes.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/cell")
			b.ReportMetric(float64(hwm())/float64(n), "B-peakRSS/cell")
			b.ReportMetric(float64(hwm())/(1<<20), "MiB-peakRSS")
		})
	}
}

// hwm is this process's peak RSS in bytes (VmHWM).
func hwm() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
