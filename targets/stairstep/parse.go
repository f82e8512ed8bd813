package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// record is one parsed line: a key (its first bytes) and the line itself.
type record struct {
	Key  string
	Line []byte
}

// Result is what /parse answers.
type Result struct {
	Bytes   int    `json:"bytes"`
	Records int    `json:"records"`
	CRC32   uint32 `json:"crc32"`
	Variant string `json:"variant"`
}

// keyLen is how many bytes of a line make its key.
const keyLen = 16

// parser handles /parse with the configured allocation strategy.
type parser struct {
	cfg      config
	pool     *bufPool
	recs     *recordPool
	requests prometheus.Counter
	bytes    prometheus.Counter
	inflight prometheus.Gauge
}

func newParser(c config, reg prometheus.Registerer) *parser {
	p := &parser{
		cfg:  c,
		pool: newBufPool(),
		recs: &recordPool{},
		requests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stairstep_requests_total", Help: "Bodies parsed.",
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stairstep_body_bytes_total", Help: "Body bytes parsed.",
		}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stairstep_inflight", Help: "Requests being parsed or sleeping.",
		}),
	}
	reg.MustRegister(p.requests, p.bytes, p.inflight)
	return p
}

func (p *parser) serveParse(w http.ResponseWriter, r *http.Request) {
	p.inflight.Inc()
	defer p.inflight.Dec()
	body := http.MaxBytesReader(w, r.Body, p.cfg.MaxBody)
	var res Result
	var err error
	if p.cfg.Variant == "pooled" {
		res, err = p.parsePooled(body, r.ContentLength)
	} else {
		res, err = p.parseNaive(body)
	}
	if err != nil {
		code := http.StatusBadRequest
		if errors.As(err, new(*http.MaxBytesError)) {
			code = http.StatusRequestEntityTooLarge
		}
		http.Error(w, err.Error(), code)
		return
	}
	p.requests.Inc()
	p.bytes.Add(float64(res.Bytes))
	res.Variant = p.cfg.Variant
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// parseNaive allocates afresh at every step: a growing ReadAll, COPIES
// clones (each transformed), and a record with its own key string per line.
// Everything stays live through the sleep.
func (p *parser) parseNaive(body io.Reader) (Result, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return Result{}, err
	}
	cur := raw
	for range p.cfg.Copies {
		next := bytes.Clone(cur)
		transform(next)
		cur = next
	}
	recs := split(cur, nil, true)
	time.Sleep(p.cfg.Sleep)
	return Result{Bytes: len(raw), Records: len(recs), CRC32: crc32.ChecksumIEEE(cur)}, nil
}

// parsePooled does the same work in size-classed buffers from pools: each
// intermediate buffer goes back to its pool as soon as the next copy is
// made, keys are sub-slices, and only the final copy and its records are
// held through the sleep.
func (p *parser) parsePooled(body io.Reader, length int64) (Result, error) {
	raw, err := p.readPooled(body, length)
	if err != nil {
		return Result{}, err
	}
	size := len(raw)
	cur := raw
	for range p.cfg.Copies {
		next := p.pool.Get(len(cur))
		copy(next, cur)
		transform(next)
		p.pool.Put(cur)
		cur = next
	}
	recs := split(cur, p.recs.Get(), false)
	time.Sleep(p.cfg.Sleep)
	res := Result{Bytes: size, Records: len(recs), CRC32: crc32.ChecksumIEEE(cur)}
	p.recs.Put(recs)
	p.pool.Put(cur)
	return res, nil
}

// readPooled reads body into a pooled buffer, sized by Content-Length when
// known and moved to the next class when it fills.
func (p *parser) readPooled(body io.Reader, length int64) ([]byte, error) {
	size := minClass
	if length > 0 && length <= p.cfg.MaxBody {
		size = int(length)
	}
	buf := p.pool.Get(size)[:0]
	for {
		if len(buf) == cap(buf) {
			bigger := p.pool.Get(2 * cap(buf))[:len(buf)]
			copy(bigger, buf)
			p.pool.Put(buf)
			buf = bigger
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			p.pool.Put(buf)
			return nil, err
		}
	}
}

// transform rewrites b in place (a stand-in for decoding): it flips the
// case of ASCII letters, so every byte of every copy is written.
func transform(b []byte) {
	for i, c := range b {
		if c|0x20 >= 'a' && c|0x20 <= 'z' {
			b[i] = c ^ 0x20
		}
	}
}

// split cuts b into lines; copyKeys gives each record its own key string
// (an allocation per line), otherwise keys alias b.
func split(b []byte, recs []record, copyKeys bool) []record {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		k := line[:min(keyLen, len(line))]
		var key string
		if copyKeys {
			key = string(k)
		}
		recs = append(recs, record{Key: key, Line: line})
	}
	return recs
}
