package probe

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// DefaultMaxSeries caps how many metric series one scrape keeps, so a target
// exporting thousands of series cannot grow the harness or the samples file.
const DefaultMaxSeries = 64

// DefaultSeries are kept from every scrape when present.
var DefaultSeries = []string{
	"go_goroutines",
	"go_threads",
	"go_memstats_heap_inuse_bytes",
	"go_memstats_heap_alloc_bytes",
	"go_memstats_heap_sys_bytes",
	"go_memstats_heap_released_bytes",
	"go_memstats_next_gc_bytes",
	"process_resident_memory_bytes",
	"process_open_fds",
}

// Scraper reads a target's Prometheus text endpoint.
type Scraper struct {
	URL    string
	Client *http.Client
	// Names to keep besides DefaultSeries (e.g. a workload's ops counter).
	Names []string
	// MaxSeries caps the series kept; 0 means DefaultMaxSeries.
	MaxSeries int

	mu     sync.Mutex
	wanted map[string]bool    // DefaultSeries and Names
	in     *bufio.Reader      // reused across scrapes
	kept   bytes.Buffer       // the lines of wanted families, reused
	parser *expfmt.TextParser // reused: it keeps its read buffer
}

// Scrape fetches the endpoint and returns one value per kept series name.
// Labelled series of one name are summed: a counter split by status code
// becomes its total.
func (s *Scraper) Scrape(ctx context.Context) (map[string]float64, error) {
	var out map[string]float64
	err := get(ctx, s.Client, 2*time.Second, s.URL, "scrape", func(r io.Reader) error {
		var err error
		out, err = s.parse(r)
		return err
	})
	return out, err
}

// parse keeps the lines of the wanted families and parses only those: a Go
// target exports some 40 families and the harness keeps about 10, so
// parsing everything made most of a sample's garbage.
func (s *Scraper) parse(r io.Reader) (map[string]float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wanted == nil {
		s.wanted = make(map[string]bool, len(DefaultSeries)+len(s.Names))
		for _, n := range append(DefaultSeries[:len(DefaultSeries):len(DefaultSeries)], s.Names...) {
			s.wanted[n] = true
		}
	}
	if s.in == nil {
		s.in = bufio.NewReaderSize(r, 64<<10)
	} else {
		s.in.Reset(r)
	}
	s.kept.Reset()
	if err := keepLines(s.in, &s.kept, s.wanted); err != nil {
		return nil, fmt.Errorf("scrape %s: %w", s.URL, err)
	}
	if s.parser == nil {
		p := expfmt.NewTextParser(model.UTF8Validation)
		s.parser = &p
	}
	fams, err := s.parser.TextToMetricFamilies(&s.kept)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", s.URL, err)
	}
	max := s.MaxSeries
	if max <= 0 {
		max = DefaultMaxSeries
	}
	out := make(map[string]float64)
	keep := func(name string) {
		if len(out) >= max {
			return
		}
		if f, ok := fams[name]; ok {
			if v, ok := total(f); ok {
				out[name] = v
			}
		}
	}
	for _, n := range DefaultSeries {
		keep(n)
	}
	for _, n := range s.Names {
		keep(n)
	}
	return out, nil
}

// keepLines copies to out the lines of in that belong to a wanted family:
// its samples and its HELP and TYPE comments. Sample lines of a histogram
// or summary (name_bucket, name_sum, name_count) go with their family. A
// line that starts with a quoted name ({"name"...}) is kept whatever the
// name, for the parser to judge; a line longer than the reader's buffer
// (64 KiB) is dropped.
func keepLines(in *bufio.Reader, out *bytes.Buffer, wanted map[string]bool) error {
	for {
		line, err := in.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull {
				_, err = in.ReadSlice('\n')
			}
			continue
		}
		if len(line) > 0 && keepLine(line, wanted) {
			out.Write(line)
			if line[len(line)-1] != '\n' {
				out.WriteByte('\n')
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// keepLine says whether a line of the text format belongs to a wanted family.
func keepLine(line []byte, wanted map[string]bool) bool {
	if line[0] == '#' { // # HELP name ...; # TYPE name type
		rest, ok := bytes.CutPrefix(line, []byte("# HELP "))
		if !ok {
			rest, ok = bytes.CutPrefix(line, []byte("# TYPE "))
		}
		if !ok {
			return false
		}
		rest = bytes.TrimLeft(rest, " \t")
		if end := bytes.IndexAny(rest, " \t\n"); end >= 0 {
			rest = rest[:end]
		}
		return wanted[string(rest)]
	}
	if line[0] == '{' {
		return true
	}
	end := bytes.IndexAny(line, "{ \t")
	if end <= 0 {
		return false
	}
	name := line[:end]
	if wanted[string(name)] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := bytes.CutSuffix(name, []byte(suffix)); ok && wanted[string(base)] {
			return true
		}
	}
	return false
}

// total sums the values of a counter, gauge or untyped family.
func total(f *dto.MetricFamily) (float64, bool) {
	var sum float64
	n := 0
	for _, m := range f.GetMetric() {
		var v float64
		switch {
		case m.Counter != nil:
			v = m.Counter.GetValue()
		case m.Gauge != nil:
			v = m.Gauge.GetValue()
		case m.Untyped != nil:
			v = m.Untyped.GetValue()
		default:
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		sum += v
		n++
	}
	return sum, n > 0
}

// names lists the keys of m in order (for stable messages).
func names(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
