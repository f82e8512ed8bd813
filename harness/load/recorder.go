package load

import (
	"sync"
	"time"
	"unsafe"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/soaklab/soaklab/harness/results"
)

// Histogram geometry defaults: latencies are recorded in microseconds from
// 1 µs to DefaultHighestLatency at DefaultSigFigs significant figures, which
// is 136 KiB per histogram. Longer latencies are recorded as the highest
// trackable value; the exact maximum is kept separately.
const (
	DefaultHighestLatency = 60 * time.Second
	DefaultSigFigs        = 3
)

// summary is the count, min, max and sum of a latency, in microseconds.
type summary struct {
	count, min, max, sum int64
}

func (s *summary) add(v int64) {
	if s.count == 0 || v < s.min {
		s.min = v
	}
	if v > s.max {
		s.max = v
	}
	s.count++
	s.sum += v
}

// labelRec is everything kept for one latency label.
type labelRec struct {
	name             string
	requests, errors int64
	corr, raw        summary
	seen             int64          // requests offered to the histograms (sampled mode)
	corrH, rawH      *hdr.Histogram // run histograms (hdr, sampled) or run totals (windowed)
	winCorr, winRaw  *hdr.Histogram // windowed mode's current window
}

// intervalBuf is what Interval reports since its previous call.
type intervalBuf struct {
	corr, raw        *hdr.Histogram // nil in mode off
	requests, errors int64
	latency          results.LatencyCounts // every request with a latency, whatever the mode
}

// recorder keeps latencies and counts. Its memory is fixed when it is made:
// recording allocates nothing.
type recorder struct {
	mode    Mode
	sampleN int64
	highest int64 // µs
	newHist func() *hdr.Histogram

	mu     sync.Mutex
	labels []labelRec
	errs   [numErrKinds]int64
	cur    intervalBuf

	ivMu   sync.Mutex // serialises Interval callers
	spare  intervalBuf
	lastIv time.Time
}

func newRecorder(mode Mode, sampleN int, labels []string, highest time.Duration, sigfigs int) *recorder {
	r := &recorder{mode: mode, sampleN: int64(max(sampleN, 1)), highest: highest.Microseconds()}
	r.newHist = func() *hdr.Histogram { return prefault(hdr.New(1, r.highest, sigfigs)) }
	r.labels = make([]labelRec, len(labels))
	for i, name := range labels {
		l := &r.labels[i]
		l.name = name
		if mode == ModeOff {
			continue
		}
		l.corrH, l.rawH = r.newHist(), r.newHist()
		if mode == ModeWindowed {
			l.winCorr, l.winRaw = r.newHist(), r.newHist()
		}
	}
	if mode != ModeOff {
		r.cur.corr, r.cur.raw = r.newHist(), r.newHist()
		r.spare.corr, r.spare.raw = r.newHist(), r.newHist()
	}
	return r
}

// hasLatency says whether a failed request of this kind still measured a
// latency worth keeping: it got a response, or it waited for the timeout.
func hasLatency(k errKind) bool {
	return k == errNone || k == errTimeout || k == errHTTP4xx || k == errHTTP5xx || k == errUnexpected
}

// record keeps one finished request. corrected counts from the intended
// send time, raw from the actual one. It allocates nothing.
func (r *recorder) record(label int, corrected, raw time.Duration, kind errKind) {
	c, w := min(corrected.Microseconds(), r.highest), min(raw.Microseconds(), r.highest)
	c, w = max(c, 1), max(w, 1)
	r.mu.Lock()
	l := &r.labels[label]
	l.requests++
	r.cur.requests++
	if kind != errNone {
		l.errors++
		r.cur.errors++
		r.errs[kind]++
	}
	if hasLatency(kind) {
		r.cur.latency.Add(corrected.Seconds())
		l.corr.add(corrected.Microseconds())
		l.raw.add(raw.Microseconds())
		if r.mode != ModeOff {
			l.seen++
			if r.mode != ModeSampled || l.seen%r.sampleN == 1 || r.sampleN == 1 {
				ch, rh := l.corrH, l.rawH
				if r.mode == ModeWindowed {
					ch, rh = l.winCorr, l.winRaw
				}
				_ = ch.RecordValue(c) // in range by construction
				_ = rh.RecordValue(w)
				_ = r.cur.corr.RecordValue(c)
				_ = r.cur.raw.RecordValue(w)
			}
		}
	}
	r.mu.Unlock()
}

// rotate merges every label's window into its run totals and starts a new
// window (windowed mode; a no-op otherwise).
func (r *recorder) rotate() {
	if r.mode != ModeWindowed {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.labels {
		l := &r.labels[i]
		l.corrH.Merge(l.winCorr)
		l.rawH.Merge(l.winRaw)
		l.winCorr.Reset()
		l.winRaw.Reset()
	}
}

// MemoryBytes is the memory the recorder holds: its histograms' counts and
// its label records. It is fixed when the recorder is made.
func (r *recorder) MemoryBytes() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := int64(len(r.labels)) * int64(unsafe.Sizeof(labelRec{}))
	for _, h := range r.hists() {
		n += int64(h.ByteSize())
	}
	return n
}

// hists lists every histogram held. Callers hold mu.
func (r *recorder) hists() []*hdr.Histogram {
	var hs []*hdr.Histogram
	for i := range r.labels {
		l := &r.labels[i]
		for _, h := range []*hdr.Histogram{l.corrH, l.rawH, l.winCorr, l.winRaw} {
			if h != nil {
				hs = append(hs, h)
			}
		}
	}
	for _, h := range []*hdr.Histogram{r.cur.corr, r.cur.raw, r.spare.corr, r.spare.raw} {
		if h != nil {
			hs = append(hs, h)
		}
	}
	return hs
}

// IntervalStats is the load since the previous call of Interval.
type IntervalStats struct {
	Requests int64                 // finished, successful or not
	Errors   int64                 // failed
	RPS      float64               // finished per second
	P50      float64               // corrected latency, ms (0 in mode off)
	P99      float64               // corrected latency, ms (0 in mode off)
	P99Raw   float64               // uncorrected latency, ms (0 in mode off)
	Latency  results.LatencyCounts // requests by corrected latency, in every mode
}

// interval swaps the current interval buffer for the spare and reports it.
func (r *recorder) interval(now time.Time) IntervalStats {
	r.ivMu.Lock()
	defer r.ivMu.Unlock()
	r.mu.Lock()
	r.cur, r.spare = r.spare, r.cur
	last := r.lastIv
	r.lastIv = now
	r.mu.Unlock()
	b := &r.spare
	s := IntervalStats{Requests: b.requests, Errors: b.errors, Latency: b.latency}
	if !last.IsZero() && now.After(last) {
		s.RPS = float64(b.requests) / now.Sub(last).Seconds()
	}
	if b.corr != nil {
		s.P50 = usToMs(b.corr.ValueAtQuantile(50))
		s.P99 = usToMs(b.corr.ValueAtQuantile(99))
		s.P99Raw = usToMs(b.raw.ValueAtQuantile(99))
		b.corr.Reset()
		b.raw.Reset()
	}
	b.requests, b.errors, b.latency = 0, 0, results.LatencyCounts{}
	return s
}

func usToMs(us int64) float64 { return float64(us) / 1000 }

func sizeofLabelRec() uintptr { return unsafe.Sizeof(labelRec{}) }

// prefault writes every count of a new histogram once (Reset zeroes them
// all), so its pages are resident from the start. Left alone, the kernel
// maps a page only when a latency first lands in one of its buckets, and
// the driver's RSS creeps up over a long soak — a saturating curve (+0.7 MiB
// over 8 minutes at 5,000 RPS) that reads like a slow leak of the harness.
// Resident from the start, the driver's footprint is flat at its bound.
func prefault(h *hdr.Histogram) *hdr.Histogram {
	h.Reset()
	return h
}
