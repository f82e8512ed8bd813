package probe

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
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

func (s *Scraper) parse(r io.Reader) (map[string]float64, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
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
