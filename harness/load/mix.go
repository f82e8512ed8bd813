package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// prepared is one request kind ready to send: its URL parsed, its body
// generated and its label resolved once, before the run.
type prepared struct {
	tmpl   *http.Request // shared, never modified; copied per request (net/http path)
	raw    []byte        // the whole request serialised once (HTTP/1.1 path)
	head   bool          // a HEAD request: its response has no body
	retry  bool          // idempotent: may be re-sent when a kept-alive connection was closed
	body   []byte
	label  int      // index into the recorder's labels
	expect expected // statuses that succeed; empty: below 400
}

// request returns a fresh request of this kind bound to ctx; only the
// shallow copy and the body reader are allocated.
func (p *prepared) request(ctx context.Context) *http.Request {
	req := p.tmpl.WithContext(ctx)
	if p.body != nil {
		req.Body = io.NopCloser(bytes.NewReader(p.body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(p.body)), nil }
	}
	return req
}

// mix picks request kinds by weight. Request seq gets the kind at position
// seq*stride mod total of the cumulative weights: exact proportions over
// every total consecutive requests, interleaved rather than in blocks, and
// deterministic.
type mix struct {
	reqs   []prepared
	cum    []int64 // cumulative weights
	total  int64
	stride int64
	labels []string // distinct labels kept, then OverflowLabel if any folded
}

// newMix resolves labels (folding those past maxLabels into OverflowLabel)
// and prepares every request. It returns a warning when labels were folded.
func newMix(base *url.URL, reqs []Request, maxLabels int) (*mix, string, error) {
	m := &mix{}
	index := map[string]int{}
	var folded []string
	overflow := -1
	for i, r := range reqs {
		w := int64(r.Weight)
		if r.Weight == 0 {
			w = 1
		}
		method := r.Method
		if method == "" {
			method = http.MethodGet
		}
		path := r.Path
		if path == "" {
			path = "/"
		}
		label := r.Label
		if label == "" {
			label = path
		}
		li, ok := index[label]
		if !ok {
			if len(m.labels) < maxLabels {
				li = len(m.labels)
				m.labels = append(m.labels, label)
			} else {
				if overflow < 0 {
					overflow = maxLabels
				}
				li = overflow
				folded = append(folded, label)
			}
			index[label] = li
		}
		for _, code := range r.Expect {
			if code < 100 || code > 599 {
				return nil, "", fmt.Errorf("%w: Mix[%d].Expect: %d is not an HTTP status (100-599)", ErrConfig, i, code)
			}
		}
		u, err := base.Parse(path)
		if err != nil {
			return nil, "", fmt.Errorf("%w: Mix[%d].Path: %q: %v", ErrConfig, i, path, err)
		}
		tmpl, err := http.NewRequest(method, u.String(), nil)
		if err != nil {
			return nil, "", fmt.Errorf("%w: Mix[%d].Method: %q: %v", ErrConfig, i, method, err)
		}
		for k, vs := range r.Header {
			tmpl.Header[http.CanonicalHeaderKey(k)] = vs
		}
		if r.Body != nil {
			tmpl.ContentLength = int64(len(r.Body))
		}
		m.total += w
		m.cum = append(m.cum, m.total)
		m.reqs = append(m.reqs, prepared{tmpl: tmpl, raw: serialize(tmpl, r.Body), head: method == http.MethodHead, retry: method != http.MethodPost && method != http.MethodPatch, body: r.Body, label: li, expect: expected(r.Expect)})
	}
	var warning string
	if overflow >= 0 {
		m.labels = append(m.labels, OverflowLabel)
		warning = fmt.Sprintf("load: %d distinct labels exceed MaxLabels %d; %d folded into %q: %s",
			len(index), maxLabels, len(folded), OverflowLabel, strings.Join(folded, ", "))
	}
	if m.total > maxTotalWeight {
		return nil, "", fmt.Errorf("%w: Mix: total weight %d exceeds %d", ErrConfig, m.total, maxTotalWeight)
	}
	m.stride = coprimeStride(m.total)
	return m, warning, nil
}

// maxTotalWeight keeps seq*stride mod total within int64.
const maxTotalWeight = 1 << 30

// coprimeStride returns a stride near 0.618·total that is coprime with
// total, so seq*stride mod total visits every position once per total.
func coprimeStride(total int64) int64 {
	if total <= 2 {
		return 1
	}
	s := total*618/1000 + 1
	for gcd(s, total) != 1 {
		s++
	}
	return s
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pick returns the request kind for request seq.
func (m *mix) pick(seq int64) *prepared {
	if len(m.reqs) == 1 {
		return &m.reqs[0]
	}
	pos := (seq % m.total) * m.stride % m.total
	i := sort.Search(len(m.cum), func(i int) bool { return m.cum[i] > pos })
	return &m.reqs[i]
}
