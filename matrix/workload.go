package matrix

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	workloadKeys = []string{"requests", "timeout", "ramp", "max_labels", "window", "sample_n", "burst", "pause"}
	requestKeys  = []string{"label", "method", "path", "headers", "body_size", "body_file", "weight", "expect"}
	methodWord   = regexp.MustCompile(`^[A-Z]+$`)
)

// workload decodes a `workload:` block (the matrix's, or a target's own,
// named by what); a missing block gives DefaultWorkload with DefaultRequest.
func (d *decoder) workload(n *yaml.Node, what string) Workload {
	w := DefaultWorkload
	o := d.object(n, what, workloadKeys)
	if v := o["timeout"]; v != nil {
		if t, ok := d.duration(v, what+".timeout"); ok {
			if t == 0 {
				d.errf(v, "%s.timeout: must be positive", what)
			}
			w.Timeout = t
		}
	}
	if v := o["ramp"]; v != nil {
		d.pos[what+".ramp"] = v
		w.Ramp, _ = d.duration(v, what+".ramp")
	}
	for _, k := range []struct {
		key string
		to  *time.Duration
	}{{"burst", &w.Burst}, {"pause", &w.Pause}} {
		if v := o[k.key]; v != nil {
			if t, ok := d.duration(v, what+"."+k.key); ok {
				if t == 0 {
					d.errf(v, "%s.%s: must be positive (leave burst and pause out for a constant rate)", what, k.key)
				}
				*k.to = t
			}
		}
	}
	if (o["burst"] == nil) != (o["pause"] == nil) {
		n := o["burst"]
		if n == nil {
			n = o["pause"]
		}
		d.errf(n, "%s: burst and pause go together (requests arrive for burst, then none for pause, in turn); give both", what)
	}
	if v := o["max_labels"]; v != nil {
		w.MaxLabels, _ = d.integer(v, what+".max_labels", 1)
		if w.MaxLabels > MaxLabels {
			d.errf(v, "%s.max_labels: at most %d (each label holds latency histograms), got %d", what, MaxLabels, w.MaxLabels)
		}
	}
	if v := o["window"]; v != nil {
		if t, ok := d.duration(v, what+".window"); ok {
			if t == 0 {
				d.errf(v, "%s.window: must be positive", what)
			}
			w.Window = t
		}
	}
	if v := o["sample_n"]; v != nil {
		w.SampleN, _ = d.integer(v, what+".sample_n", 1)
	}
	labels := map[string]bool{}
	reqs := d.list(o["requests"], what+".requests")
	tooMany := len(reqs) > MaxRequests
	if tooMany {
		d.errf(o["requests"], "%s.requests: %d entries, at most %d", what, len(reqs), MaxRequests)
		reqs = nil
	}
	for i, rn := range reqs {
		r := d.request(rn, fmt.Sprintf("%s.requests[%d]", what, i))
		labels[r.Label] = true
		w.Requests = append(w.Requests, r)
	}
	if o["requests"] != nil && len(w.Requests) == 0 && !tooMany {
		d.errf(o["requests"], "%s.requests: the list is empty; leave it out for a single GET /", what)
	}
	if len(w.Requests) == 0 {
		w.Requests = []Request{DefaultRequest}
	}
	if len(labels) > w.MaxLabels && w.MaxLabels > 0 {
		d.errf(o["requests"], "%s.requests: %d distinct labels, more than max_labels (%d)", what, len(labels), w.MaxLabels)
	}
	return w
}

func (d *decoder) request(n *yaml.Node, what string) Request {
	r := Request{Method: DefaultMethod, Weight: DefaultWeight}
	if rn := d.resolve(n); rn.Kind != yaml.MappingNode {
		d.errf(rn, "%s: expected a mapping like {label: small, path: /echo}, got %s", what, describe(rn))
		return r
	}
	o := d.object(n, what, requestKeys)
	if v := o["path"]; v != nil {
		r.Path, _ = d.path(v, what+".path")
	} else {
		d.errf(d.resolve(n), "%s: path is required", what)
	}
	r.Label = r.Path
	if v := o["label"]; v != nil {
		r.Label, _ = d.nonEmpty(v, what+".label")
	}
	if v := o["method"]; v != nil {
		if s, ok := d.str(v, what+".method"); ok {
			r.Method = strings.ToUpper(s)
			if !methodWord.MatchString(r.Method) {
				d.errf(v, "%s.method: expected an HTTP method like GET or POST, got %q", what, s)
			}
		}
	}
	if v := o["headers"]; v != nil {
		var fs []field
		r.Headers, fs = d.strMap(v, what+".headers")
		for _, f := range fs {
			if !isToken(f.key) {
				d.errf(f.keyPos, "%s.headers: bad header name %q: use letters, digits and -", what, f.key)
			}
			if msg := checkText(r.Headers[f.key]); msg != "" {
				d.errf(d.resolve(f.val), "%s.headers.%s: %s in the value", what, f.key, msg)
			}
		}
	}
	if v := o["body_size"]; v != nil {
		r.BodySize, _ = d.size(v, what+".body_size")
		if r.BodySize > MaxBodySize {
			d.errf(v, "%s.body_size: at most %s (the driver holds each body in memory), got %s", what, FormatSize(MaxBodySize), FormatSize(r.BodySize))
		}
	}
	if v := o["body_file"]; v != nil {
		r.BodyFile, _ = d.nonEmpty(v, what+".body_file")
		d.bodyFile(v, what+".body_file", r.BodyFile)
		if o["body_size"] != nil {
			d.errf(v, "%s: body_size and body_file exclude each other", what)
		}
	}
	if v := o["weight"]; v != nil {
		r.Weight, _ = d.integer(v, what+".weight", 1)
	}
	if v := o["expect"]; v != nil {
		r.Expect = d.statuses(v, what+".expect")
	}
	return r
}

// statuses reads `expect:`, HTTP statuses (100-599), one or a list.
func (d *decoder) statuses(n *yaml.Node, what string) []int {
	rn := d.resolve(n)
	items := []*yaml.Node{rn}
	if rn.Kind == yaml.SequenceNode {
		items = d.list(n, what)
		if len(items) == 0 {
			d.errf(n, "%s: expected HTTP statuses, e.g. [200, 404]", what)
		}
	}
	var out []int
	for i, c := range items {
		w := what
		if rn.Kind == yaml.SequenceNode {
			w = fmt.Sprintf("%s[%d]", what, i)
		}
		v, ok := d.integer(c, w, 100)
		if !ok {
			continue
		}
		if v > 599 {
			d.errf(c, "%s: an HTTP status is 100-599, got %d", w, v)
			continue
		}
		out = append(out, v)
	}
	return out
}
