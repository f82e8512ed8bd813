package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soaklab/soaklab/harness/results"
)

// Driver drives one run of load. Make it with New; Run it once.
type Driver struct {
	cfg       Config
	opts      options
	sched     schedule
	mix       *mix
	rec       *recorder
	rt        http.RoundTripper
	warnings  []string
	stopped   atomic.Bool // the run's end has come: start nothing more
	sent      atomic.Int64
	late      atomic.Int64
	dropped   atomic.Int64
	ran       atomic.Bool
	ownedPool *http.Transport // closed after the run when the driver made it
	addr      string          // host:port for the driver's own connections
}

// New validates cfg (every problem at once, each naming its field), applies
// defaults and prepares the request mix and the latency recorder.
func New(cfg Config, opts ...Option) (*Driver, error) {
	cfg = cfg.withDefaults()
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	err := cfg.validate()
	if o.sigfigs < 1 || o.sigfigs > 5 {
		err = errors.Join(err, fmt.Errorf("%w: HistogramRange: sigfigs %d, want 1-5", ErrConfig, o.sigfigs))
	}
	if o.highest < time.Millisecond {
		err = errors.Join(err, fmt.Errorf("%w: HistogramRange: highest %v, want >= 1ms", ErrConfig, o.highest))
	}
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(cfg.BaseURL) // checked by validate
	m, warning, err := newMix(base, cfg.Mix, cfg.MaxLabels)
	if err != nil {
		return nil, err
	}
	d := &Driver{
		cfg:   cfg,
		opts:  o,
		sched: schedule{rate: cfg.Rate, ramp: cfg.Ramp.Seconds(), dur: cfg.Duration.Seconds(), on: cfg.Burst.Seconds(), off: cfg.Pause.Seconds()},
		mix:   m,
		rec:   newRecorder(cfg.Mode, cfg.SampleN, m.labels, o.highest, o.sigfigs),
		rt:    o.transport,
	}
	d.addr = base.Host
	if base.Port() == "" {
		d.addr = net.JoinHostPort(base.Hostname(), "80")
	}
	if warning != "" {
		d.warnings = append(d.warnings, warning)
	}
	if d.rt == nil && o.std {
		d.ownedPool = newTransport(cfg.Tasks)
		d.rt = d.ownedPool
	}
	return d, nil
}

// Warnings are the caveats found by New (labels folded into the overflow).
func (d *Driver) Warnings() []string { return d.warnings }

// MemoryBytes is the latency memory the driver holds, fixed by the mode,
// the label count and the histogram geometry when New returns:
//
//	hdr, sampled: (labels×2 + 4) histograms
//	windowed:     (labels×4 + 4) histograms
//	off:          no histogram
//
// plus one small record per label.
func (d *Driver) MemoryBytes() int64 { return d.rec.MemoryBytes() }

// Interval reports the load since its previous call (or since Run started).
// It is safe to call concurrently with Run.
func (d *Driver) Interval() IntervalStats { return d.rec.interval(time.Now()) }

// Run drives the load until Duration elapses or ctx is done, then waits for
// the requests in flight (each bounded by Timeout) and returns what it
// measured. When ctx ends the run early, Run returns the measurements so
// far together with ctx's error. A Driver runs once.
//
// Sent counts requests started, Completed those that succeeded (a 1xx-3xx
// response) and Errors those that failed, by kind; Sent = Completed +
// Errors. Late counts requests started more than LateAfter past their
// intended time; Dropped those due before the end that never started.
func (d *Driver) Run(ctx context.Context) (*results.Load, error) {
	if d.ran.Swap(true) {
		return nil, errors.New("load: Driver.Run called twice")
	}
	start := time.Now()
	d.rec.mu.Lock()
	d.rec.lastIv = start
	d.rec.mu.Unlock()
	end := start.Add(d.cfg.Duration)
	if d.cfg.Rate > 0 {
		end = end.Add(d.opts.grace) // due before the end, may start a little after
	}
	runCtx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	// In-flight requests outlive the run's end, bounded by their Timeout.
	reqCtx := context.WithoutCancel(ctx)

	var bg sync.WaitGroup
	bg.Go(func() { <-runCtx.Done(); d.stopped.Store(true) })
	if d.cfg.Mode == ModeWindowed {
		bg.Go(func() { d.rotateEvery(runCtx, d.cfg.Window) })
	}

	var workers sync.WaitGroup
	if d.cfg.Rate > 0 {
		ch := make(chan int64, d.cfg.Tasks)
		for range d.cfg.Tasks {
			workers.Go(func() {
				c := d.newConn()
				defer c.close()
				for seq := range ch {
					if d.stopped.Load() {
						d.dropped.Add(1) // due, but no task was free before the end
						continue
					}
					d.do(reqCtx, c, seq, start.Add(d.sched.At(seq)))
				}
			})
		}
		d.pace(runCtx, ch, start)
		close(ch)
	} else {
		var next atomic.Int64
		for range d.cfg.Tasks {
			workers.Go(func() {
				c := d.newConn()
				defer c.close()
				for !d.stopped.Load() {
					d.do(reqCtx, c, next.Add(1)-1, time.Time{})
				}
			})
		}
	}
	workers.Wait()
	elapsed := time.Since(start)
	cancel()
	bg.Wait()
	if d.ownedPool != nil {
		d.ownedPool.CloseIdleConnections()
	}
	return d.result(ctx, elapsed)
}

// pace hands request numbers to the tasks as their intended times come.
// Instead of a timer per request it sleeps until the next intended time and
// then hands out every request due by then. When every task is busy and the
// queue is full it blocks: the backlog is just the gap between due and
// handed out, and each request's latency still counts from its own intended
// time. Requests due but not handed out when the run ends are dropped.
func (d *Driver) pace(ctx context.Context, ch chan<- int64, start time.Time) {
	total := d.sched.Total()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var next int64
loop:
	for next < total {
		due := d.sched.Due(time.Since(start))
		for next < due {
			select {
			case ch <- next:
				next++
				continue
			default:
			}
			select {
			case ch <- next:
				next++
			case <-ctx.Done():
				break loop
			}
		}
		if next >= total {
			break
		}
		if wait := d.sched.At(next) - time.Since(start); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				break loop
			}
		} else if ctx.Err() != nil {
			break
		}
	}
	if due := d.sched.Due(time.Since(start)); due > next {
		d.dropped.Add(due - next)
	}
}

// do sends one request intended to start at intended (zero: now, in
// max-rate mode) and records it.
func (d *Driver) do(ctx context.Context, c *h1conn, seq int64, intended time.Time) {
	p := d.mix.pick(seq)
	started := time.Now()
	if intended.IsZero() {
		intended = started
	} else if started.Sub(intended) > d.opts.lateAfter {
		d.late.Add(1)
	}
	d.sent.Add(1)
	var kind errKind
	if d.rt != nil {
		kind = d.send(ctx, p)
	} else {
		kind = c.roundTrip(p.raw, p.head, p.retry, p.expect)
	}
	done := time.Now()
	d.rec.record(p.label, done.Sub(intended), done.Sub(started), kind)
}

// newConn makes a task's own connection (dialled on first use).
func (d *Driver) newConn() *h1conn { return newH1conn(d.addr, d.cfg.Timeout) }

// send performs one request through net/http and drains its response body.
func (d *Driver) send(ctx context.Context, p *prepared) errKind {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	resp, err := d.rt.RoundTrip(p.request(ctx))
	if err != nil {
		return classifyErr(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return classifyErr(err)
	}
	return p.expect.classify(resp.StatusCode)
}

// rotateEvery rotates the windowed histograms until ctx is done.
func (d *Driver) rotateEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.rec.rotate()
		case <-ctx.Done():
			return
		}
	}
}

// targetRate is the rate the schedule asks for over the run: Rate, or with
// bursts and pauses the planned requests over the duration, so the achieved
// rate is compared with what was asked for and not with the bursts' rate.
func (d *Driver) targetRate() float64 {
	if !d.sched.cycles() || d.cfg.Duration <= 0 {
		return d.cfg.Rate
	}
	return float64(d.sched.Total()) / d.cfg.Duration.Seconds()
}

// result assembles results.Load.
func (d *Driver) result(ctx context.Context, elapsed time.Duration) (*results.Load, error) {
	out := &results.Load{
		Mode:      string(d.cfg.Mode),
		TargetRPS: d.targetRate(),
		Tasks:     d.cfg.Tasks,
		Duration:  d.cfg.Duration.Seconds(),
		Sent:      d.sent.Load(),
		Late:      d.late.Load(),
		Dropped:   d.dropped.Load(),
		Warnings:  append([]string(nil), d.warnings...),
	}
	if d.sched.cycles() {
		out.Burst, out.Pause = d.sched.on, d.sched.off
	}
	if err := d.rec.fill(out); err != nil {
		return out, err
	}
	out.Completed = out.Sent - out.Errors
	// The rate is over the scheduled window, or the time actually run when
	// the caller ended it early.
	window := d.cfg.Duration
	if ctx.Err() != nil && elapsed < window {
		window = elapsed
	}
	out.AchievedRPS = float64(out.Sent) / window.Seconds()
	if d.cfg.Rate > 0 && out.Dropped > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf(
			"load: %d requests due were never started (all %d tasks busy until the end)", out.Dropped, d.cfg.Tasks))
	}
	return out, ctx.Err()
}
