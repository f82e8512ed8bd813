package probe

import (
	"context"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
)

// LoadWindow is what the load driver measured over the last interval, or
// what the sink of a client target received.
type LoadWindow struct {
	Requests, Errors int64
	Bytes            int64 // request body bytes (the sink's)
	RPS              float64
	P50, P99, P99Raw float64 // ms
	Latency          results.LatencyCounts
}

// Sampler takes one reading of a target per interval. Every source is
// optional: a nil Memory means no cgroup, a nil Scraper no metrics, a nil
// Load no driver.
type Sampler struct {
	Procs   Procs
	PID     int                           // target pid; 0 = none
	SelfPID int                           // harness pid for the driver's own RSS; 0 = none
	Runtime func() GoRuntime              // the harness's own Go runtime; nil = not read
	Memory  func() (target.Memory, error) // cgroup accounting
	Scraper *Scraper                      // target's Prometheus endpoint
	Load    func() LoadWindow             // driver's last interval
	Now     func() time.Time              // clock; default time.Now
	Start   time.Time                     // t = 0
	Warmup  time.Duration                 // samples before Start+Warmup are marked "warmup"
	// ScrapeFailed hears every failed scrape; nil ignores them.
	ScrapeFailed func(error)
	// CPU reads the CPU time the target's cgroup used so far; nil = not
	// measured (no cgroup, or no CPU accounting in it).
	CPU func() (time.Duration, error)
	// Members lists the pids of the target's processes (its cgroup's),
	// whose threads' context switches are summed; nil = PID alone.
	Members func() ([]int, error)

	ctx ctxSwitches // context switches so far, kept across samples
}

// Take reads every source once. Failures of single sources leave their
// fields zero: a target that just died still yields the readings that worked.
func (s *Sampler) Take(ctx context.Context) results.Sample {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	at := now()
	smp := results.Sample{At: at, T: at.Sub(s.Start).Seconds()}
	if at.Sub(s.Start) < s.Warmup {
		smp.Phase = "warmup"
	}
	if s.PID > 0 {
		_ = s.Procs.Read(s.PID, &smp)
	}
	if s.Memory != nil {
		if m, err := s.Memory(); err == nil {
			smp.Usage, smp.WorkingSet = m.Usage, m.WorkingSet()
			smp.Anon, smp.File = m.Anon, m.File
			smp.CgroupPeak, smp.OOMKills = m.Peak, m.OOMKills
			smp.MajorFaults = m.MajorFaults
			smp.Shmem, smp.Kernel, smp.Sock = m.Shmem, m.Kernel, m.Sock
			smp.Unreclaimable = m.Unreclaimable()
			if p := m.Pressure; p != nil {
				smp.Pressure = &results.MemPressure{SomeAvg10: p.SomeAvg10, FullAvg10: p.FullAvg10,
					SomeUs: p.SomeTotal, FullUs: p.FullTotal}
			}
		}
	}
	if s.CPU != nil {
		if d, err := s.CPU(); err == nil {
			smp.CPUUs = d.Microseconds()
		}
	}
	if pids := s.members(); len(pids) > 0 {
		if v, n, ok := s.ctx.read(s.Procs, pids); ok {
			smp.CtxVoluntary, smp.CtxNonvoluntary = v, n
		}
	}
	if s.SelfPID > 0 {
		smp.DriverRSS, smp.DriverAnon, _ = s.Procs.RSS(s.SelfPID)
	}
	if s.Runtime != nil {
		g := s.Runtime()
		smp.DriverHeap, smp.DriverGoroutines = g.Heap, g.Goroutines
	}
	if s.Load != nil {
		w := s.Load()
		smp.Requests, smp.Errors, smp.RPS = w.Requests, w.Errors, w.RPS
		smp.P50, smp.P99, smp.P99Raw = w.P50, w.P99, w.P99Raw
		smp.Latency = w.Latency
		smp.Bytes = w.Bytes
	}
	if s.Scraper != nil {
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		if m, err := s.Scraper.Scrape(sctx); err == nil && len(m) > 0 {
			smp.Metrics = m
		} else if err != nil && s.ScrapeFailed != nil {
			s.ScrapeFailed(err)
		}
		cancel()
	}
	return smp
}

// members are the pids whose threads' context switches are read.
func (s *Sampler) members() []int {
	if s.Members != nil {
		if pids, err := s.Members(); err == nil && len(pids) > 0 {
			return pids
		}
	}
	if s.PID > 0 {
		return []int{s.PID}
	}
	return nil
}

// Run takes a sample every interval, aligned to the ticker, and hands it to
// out until ctx ends. It takes one sample at once on start.
func (s *Sampler) Run(ctx context.Context, every time.Duration, out func(results.Sample)) {
	t := time.NewTicker(every)
	defer t.Stop()
	out(s.Take(ctx))
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			out(s.Take(ctx))
		}
	}
}
