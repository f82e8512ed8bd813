package load

import (
	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/soaklab/soaklab/harness/results"
)

// latency summarises one distribution: count, min, max and mean are exact;
// percentiles come from h (nil in mode off, where they stay 0).
func latency(s summary, h *hdr.Histogram) *results.Latency {
	if s.count == 0 {
		return nil
	}
	l := &results.Latency{
		Count: s.count,
		Min:   usToMs(s.min),
		Max:   usToMs(s.max),
		Mean:  float64(s.sum) / float64(s.count) / 1000,
	}
	if h != nil && h.TotalCount() > 0 {
		l.P50 = usToMs(h.ValueAtQuantile(50))
		l.P90 = usToMs(h.ValueAtQuantile(90))
		l.P99 = usToMs(h.ValueAtQuantile(99))
		l.P999 = usToMs(h.ValueAtQuantile(99.9))
	}
	return l
}

// fill writes the recorder's totals into out: per-label stats with the
// encoded corrected histogram, the merged latencies and errors by kind.
// Windowed mode's last window is merged first.
func (r *recorder) fill(out *results.Load) error {
	r.rotate()
	r.mu.Lock()
	defer r.mu.Unlock()
	var corr, raw summary
	var corrAll, rawAll *hdr.Histogram
	if r.mode != ModeOff {
		corrAll, rawAll = r.newHist(), r.newHist()
	}
	for i := range r.labels {
		l := &r.labels[i]
		if l.requests == 0 {
			continue
		}
		ls := results.LabelStats{
			Label:       l.name,
			Requests:    l.requests,
			Errors:      l.errors,
			Corrected:   latency(l.corr, l.corrH),
			Uncorrected: latency(l.raw, l.rawH),
		}
		if l.corrH != nil {
			enc, err := l.corrH.Encode(hdr.V2CompressedEncodingCookieBase)
			if err != nil {
				return err
			}
			ls.Histogram = string(enc)
			corrAll.Merge(l.corrH)
			rawAll.Merge(l.rawH)
		}
		out.Labels = append(out.Labels, ls)
		corr.merge(l.corr)
		raw.merge(l.raw)
		if l.name == OverflowLabel {
			out.Overflowed = l.requests
		}
	}
	out.Corrected = latency(corr, corrAll)
	out.Uncorrected = latency(raw, rawAll)
	for k := errTimeout; k < numErrKinds; k++ {
		if n := r.errs[k]; n > 0 {
			if out.ErrorsByKind == nil {
				out.ErrorsByKind = map[string]int64{}
			}
			out.ErrorsByKind[k.String()] = n
			out.Errors += n
		}
	}
	return nil
}

func (s *summary) merge(o summary) {
	if o.count == 0 {
		return
	}
	if s.count == 0 || o.min < s.min {
		s.min = o.min
	}
	s.max = max(s.max, o.max)
	s.count += o.count
	s.sum += o.sum
}
