package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soaklab/harness/results"
)

// DefaultTopSites is how many growing allocation sites a cell keeps.
const DefaultTopSites = 10

// MaxHeapProfile caps the bytes read from one heap profile: a profile is
// gzipped and a few hundred KiB even for a large heap; anything past the cap
// is an error, never a harness that runs out of memory.
const MaxHeapProfile = 64 << 20

// FetchHeap downloads a Go heap profile from a pprof endpoint
// (e.g. http://127.0.0.1:8080/debug/pprof/heap). gc=1 makes the runtime
// collect first, so in-use numbers are not inflated by garbage.
func FetchHeap(ctx context.Context, c *http.Client, url string) (*profile.Profile, error) {
	_, p, err := FetchHeapRaw(ctx, c, 10*time.Second, url)
	return p, err
}

// FetchHeapRaw is FetchHeap that also returns the profile as served (to
// keep on disk for `go tool pprof`) and gives up after timeout.
func FetchHeapRaw(ctx context.Context, c *http.Client, timeout time.Duration, url string) ([]byte, *profile.Profile, error) {
	var raw []byte
	var p *profile.Profile
	err := get(ctx, c, timeout, url+"?gc=1", "heap profile", func(r io.Reader) error {
		var err error
		if raw, err = io.ReadAll(io.LimitReader(r, MaxHeapProfile+1)); err != nil {
			return fmt.Errorf("heap profile %s: %w", url, err)
		}
		if len(raw) > MaxHeapProfile {
			return fmt.Errorf("heap profile %s: larger than %d MiB", url, MaxHeapProfile>>20)
		}
		if p, err = profile.ParseData(raw); err != nil {
			return fmt.Errorf("heap profile %s: %w", url, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return raw, p, nil
}

// site is where an allocation happened: the first frame outside the Go
// runtime and the standard library's allocation helpers.
type site struct {
	fn, file string
	line     int64
}

// inuse sums in-use bytes per allocation site.
func inuse(p *profile.Profile) map[site]int64 {
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "inuse_space" {
			idx = i
		}
	}
	out := make(map[site]int64)
	if idx < 0 {
		return out
	}
	for _, s := range p.Sample {
		out[siteOf(s)] += s.Value[idx]
	}
	return out
}

func siteOf(s *profile.Sample) site {
	var first site
	for _, loc := range s.Location {
		for _, ln := range loc.Line {
			if ln.Function == nil {
				continue
			}
			cur := site{fn: ln.Function.Name, file: ln.Function.Filename, line: ln.Line}
			if first.fn == "" {
				first = cur
			}
			if !runtimeFrame(cur.fn) {
				return cur
			}
		}
	}
	return first
}

func runtimeFrame(fn string) bool {
	for _, p := range []string{"runtime.", "bytes.", "strings.", "reflect.", "sync.", "internal/", "encoding/", "slices."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// Growth compares two heap profiles and returns the top allocation sites
// whose in-use bytes grew, largest growth first.
func Growth(before, after *profile.Profile, top int) []results.GrowthSite {
	if top <= 0 {
		top = DefaultTopSites
	}
	b, a := inuse(before), inuse(after)
	var out []results.GrowthSite
	for s, av := range a {
		if d := av - b[s]; d > 0 {
			out = append(out, results.GrowthSite{Function: s.fn, File: s.file, Line: s.line,
				Before: b[s], After: av, Delta: d})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Delta != out[j].Delta {
			return out[i].Delta > out[j].Delta
		}
		return out[i].Function < out[j].Function
	})
	if len(out) > top {
		out = out[:top]
	}
	return out
}
