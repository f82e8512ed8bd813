package results

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unsafe"
)

// decodeSample decodes one samples.jsonl line into s. It reads the lines
// SampleWriter writes (flat keys, plain numbers, strings without escapes,
// the metrics object) several times faster than encoding/json, which
// matters when a report reads days of one-second samples; anything else
// (an escape, a null, a key it does not know, a number it cannot read) is
// left to encoding/json, so that every line json.Unmarshal accepts decodes
// to the same Sample.
func decodeSample(b []byte, s *Sample) error {
	var d sampleDecoder
	return d.decode(b, s)
}

// sampleDecoder decodes the lines of one file, sharing the metric names
// across them.
type sampleDecoder struct{ names map[string]string }

func (d *sampleDecoder) decode(b []byte, s *Sample) error {
	*s = Sample{}
	if d.names == nil {
		d.names = map[string]string{}
	}
	if fastSample(&scanner{b: b, names: d.names}, s) {
		return nil
	}
	*s = Sample{}
	return json.Unmarshal(b, s)
}

// str is b as a string without a copy; only for parsing, never kept.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

type scanner struct {
	b     []byte
	i     int
	names map[string]string // metric names already read, to share
}

func (p *scanner) ws() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *scanner) eat(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// quoted reads a string without escapes. (Raw control characters, which
// JSON forbids in a string, are not looked for: such a line is not one
// encoding/json would accept either way.)
func (p *scanner) quoted() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	rest := p.b[p.i:]
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return nil, false
	}
	p.i += end + 1
	return rest[:end], true
}

// number reads a JSON number's text.
func (p *scanner) number() ([]byte, bool) {
	p.ws()
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			p.i++
			continue
		}
		break
	}
	return p.b[start:p.i], p.i > start
}

func (p *scanner) float() (float64, bool) {
	n, ok := p.number()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(str(n), 64)
	return v, err == nil
}

func (p *scanner) int() (int64, bool) {
	n, ok := p.number()
	if !ok {
		return 0, false
	}
	// Up to 18 digits cannot overflow: add them up directly.
	neg := n[0] == '-'
	digits := n
	if neg {
		digits = n[1:]
	}
	if len(digits) > 0 && len(digits) <= 18 && (digits[0] != '0' || len(digits) == 1) {
		var v int64
		for _, c := range digits {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int64(c-'0')
		}
		if neg {
			v = -v
		}
		return v, true
	}
	v, err := strconv.ParseInt(str(n), 10, 64)
	return v, err == nil
}

func fastSample(p *scanner, s *Sample) bool {
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		p.ws()
		return p.i == len(p.b)
	}
	for {
		key, ok := p.quoted()
		if !ok || !p.eat(':') {
			return false
		}
		var dst *int64
		switch str(key) {
		case "t":
			if s.T, ok = p.float(); !ok {
				return false
			}
		case "rps":
			if s.RPS, ok = p.float(); !ok {
				return false
			}
		case "p50_ms":
			if s.P50, ok = p.float(); !ok {
				return false
			}
		case "p99_ms":
			if s.P99, ok = p.float(); !ok {
				return false
			}
		case "p99_raw_ms":
			if s.P99Raw, ok = p.float(); !ok {
				return false
			}
		case "at":
			v, ok := p.quoted()
			if !ok {
				return false
			}
			t, ok := utcTime(v)
			if !ok {
				var err error
				if t, err = time.Parse(time.RFC3339Nano, str(v)); err != nil {
					return false
				}
			}
			s.At = t
		case "phase":
			v, ok := p.quoted()
			if !ok {
				return false
			}
			s.Phase = string(v)
		case "metrics":
			if !p.metrics(s) {
				return false
			}
		case "mem_pressure":
			if !p.pressure(s) {
				return false
			}
		case "rss":
			dst = &s.RSS
		case "rss_peak":
			dst = &s.RSSPeak
		case "rss_anon":
			dst = &s.RSSAnon
		case "rss_file":
			dst = &s.RSSFile
		case "threads":
			dst = &s.Threads
		case "usage":
			dst = &s.Usage
		case "working_set":
			dst = &s.WorkingSet
		case "anon":
			dst = &s.Anon
		case "file":
			dst = &s.File
		case "cgroup_peak":
			dst = &s.CgroupPeak
		case "unreclaimable":
			dst = &s.Unreclaimable
		case "shmem":
			dst = &s.Shmem
		case "kernel":
			dst = &s.Kernel
		case "sock":
			dst = &s.Sock
		case "oom_kills":
			dst = &s.OOMKills
		case "major_faults":
			dst = &s.MajorFaults
		case "cpu_us":
			dst = &s.CPUUs
		case "ctx_voluntary":
			dst = &s.CtxVoluntary
		case "ctx_nonvoluntary":
			dst = &s.CtxNonvoluntary
		case "driver_rss":
			dst = &s.DriverRSS
		case "driver_rss_anon":
			dst = &s.DriverAnon
		case "driver_heap":
			dst = &s.DriverHeap
		case "driver_goroutines":
			dst = &s.DriverGoroutines
		case "requests":
			dst = &s.Requests
		case "errors":
			dst = &s.Errors
		case "bytes":
			dst = &s.Bytes
		default:
			return false
		}
		if dst != nil {
			if *dst, ok = p.int(); !ok {
				return false
			}
		}
		if p.eat(',') {
			continue
		}
		if !p.eat('}') {
			return false
		}
		p.ws()
		return p.i == len(p.b)
	}
}

// metrics reads the metrics object: names to plain numbers.
func (p *scanner) metrics(s *Sample) bool {
	if !p.eat('{') {
		return false
	}
	s.Metrics = make(map[string]float64, len(p.names)) // names seen so far: the usual count
	if p.eat('}') {
		return true
	}
	for {
		key, ok := p.quoted()
		if !ok || !p.eat(':') {
			return false
		}
		v, ok := p.float()
		if !ok {
			return false
		}
		name, ok := p.names[string(key)] // no allocation for a name seen before
		if !ok {
			name = string(key)
			p.names[name] = name
		}
		s.Metrics[name] = v
		if p.eat(',') {
			continue
		}
		return p.eat('}')
	}
}

// pressure reads the mem_pressure object (cgroup v2's memory.pressure).
func (p *scanner) pressure(s *Sample) bool {
	if !p.eat('{') {
		return false
	}
	var m MemPressure
	if !p.eat('}') {
		for {
			key, ok := p.quoted()
			if !ok || !p.eat(':') {
				return false
			}
			switch str(key) {
			case "some_avg10":
				m.SomeAvg10, ok = p.float()
			case "full_avg10":
				m.FullAvg10, ok = p.float()
			case "some_total_us":
				m.SomeUs, ok = p.int()
			case "full_total_us":
				m.FullUs, ok = p.int()
			default:
				return false
			}
			if !ok {
				return false
			}
			if p.eat(',') {
				continue
			}
			if !p.eat('}') {
				return false
			}
			break
		}
	}
	s.Pressure = &m
	return true
}

// utcTime reads "2006-01-02T15:04:05.999999999Z", the UTC form the writer
// uses, without time.Parse's generality; ok is false for anything else.
func utcTime(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	ns := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		ns = n
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d { // 31 November
		return time.Time{}, false
	}
	return t, true
}
