package progress

import (
	"strconv"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// The sample lines are written every interval for the whole of a soak, so
// they are appended into a buffer each printer reuses rather than made with
// fmt: fmt's printers come from a pool that soaklab's collection every
// second empties, so each line built a new printer and grew its buffer
// through several size classes. A self-soak traced every page its heap
// took back after the scavenger had returned it to that growth (perf:
// fmt.(*fmt).padString growing a slice in (*Plain).Sampled).

// appendSize appends n in binary units, as Size prints it.
func appendSize(b []byte, n int64) []byte {
	switch {
	case n >= 1<<30:
		return append(strconv.AppendFloat(b, float64(n)/(1<<30), 'f', 2, 64), "GiB"...)
	case n >= 1<<20:
		return append(strconv.AppendFloat(b, float64(n)/(1<<20), 'f', 1, 64), "MiB"...)
	case n >= 1<<10:
		return append(strconv.AppendFloat(b, float64(n)/(1<<10), 'f', 0, 64), "KiB"...)
	}
	return append(strconv.AppendInt(b, n, 10), 'B')
}

// appendETA appends d to the second: 1h02m03s, 4m05s, 6s.
func appendETA(b []byte, d time.Duration) []byte {
	d = d.Round(time.Second)
	h, m, s := int64(d/time.Hour), int64(d/time.Minute)%60, int64(d/time.Second)%60
	if h > 0 {
		b = append(strconv.AppendInt(b, h, 10), 'h')
		b = append(appendInt2(b, m), 'm')
		return append(appendInt2(b, s), 's')
	}
	if m > 0 {
		b = append(strconv.AppendInt(b, m, 10), 'm')
		return append(appendInt2(b, s), 's')
	}
	return append(strconv.AppendInt(b, s, 10), 's')
}

// appendInt2 appends n with at least two digits (%02d).
func appendInt2(b []byte, n int64) []byte {
	if n >= 0 && n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendFloat appends v with prec decimals, padded on the left with spaces
// to width (%width.precf).
func appendFloat(b []byte, v float64, prec, width int) []byte {
	var tmp [32]byte
	f := strconv.AppendFloat(tmp[:0], v, 'f', prec, 64)
	for i := len(f); i < width; i++ {
		b = append(b, ' ')
	}
	return append(b, f...)
}

// appendHead appends "[i/n] id".
func appendHead(b []byte, i, n int, id string) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, "] "...)
	return append(b, id...)
}

// appendLoad appends the memory and load of a sample of a cell of kind
// against the cell's limit. A server target's load is what soaklab's
// driver sent: "mem 33.0MiB/256.0MiB (13%) rps 100 p99 2.6ms err 0". A
// client target's is what it sent to soaklab's sink, which measures no
// latency: "mem 33.0MiB/256.0MiB (13%) sink rps 912 err 0". A workload
// target drives itself: memory only. Memory is the working set when the
// sample has one, else RSS.
func appendLoad(b []byte, s *results.Sample, limit int64, kind string) []byte {
	mem := s.WorkingSet
	if mem == 0 {
		mem = s.RSS
	}
	b = append(b, "mem "...)
	b = appendSize(b, mem)
	b = append(b, '/')
	b = appendSize(b, limit)
	b = append(b, " ("...)
	b = strconv.AppendFloat(b, 100*float64(mem)/float64(max(limit, 1)), 'f', 0, 64)
	b = append(b, "%)"...)
	switch kind {
	case matrix.KindWorkload:
		return b
	case matrix.KindClient:
		b = append(b, " sink rps "...)
		b = strconv.AppendFloat(b, s.RPS, 'f', 0, 64)
	default:
		b = append(b, " rps "...)
		b = strconv.AppendFloat(b, s.RPS, 'f', 0, 64)
		b = append(b, " p99 "...)
		b = strconv.AppendFloat(b, s.P99, 'f', 1, 64)
		b = append(b, "ms"...)
	}
	b = append(b, " err "...)
	return strconv.AppendInt(b, s.Errors, 10)
}
