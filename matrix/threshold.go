package matrix

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Threshold is one entry of a target's `thresholds:`: episodes of Series
// above Above are listed in the cell's analysis and report, each entered
// at Above and left when the series falls below Above·(1−Hysteresis).
type Threshold struct {
	// Series is a memory series of the samples (SeriesRSS, SeriesAnon,
	// SeriesWorkingSet, SeriesUsage) or a Prometheus series the target
	// exports, e.g. go_memstats_heap_alloc_bytes.
	Series string
	Above  float64 // a size for byte series ("1GiB"), or a plain number
	// Hysteresis is the share of Above the series must fall under it to
	// leave an episode; default DefaultHysteresis.
	Hysteresis float64
}

// Built-in series a threshold can name.
const (
	SeriesRSS        = "rss"
	SeriesAnon       = "anon"
	SeriesWorkingSet = "working_set"
	SeriesUsage      = "usage"
)

// DefaultHysteresis is a threshold's hysteresis when the matrix gives
// none: 10 % of the threshold, so noise at the edge is one episode.
const DefaultHysteresis = 0.1

// thresholdKeys are the keys of one `thresholds:` entry.
var thresholdKeys = []string{"series", "above", "hysteresis"}

// promName is a Prometheus metric name.
var promName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// thresholds reads a target's `thresholds:` list; hasMetrics says whether
// the target is scraped (a Prometheus series needs it).
func (d *decoder) thresholds(n *yaml.Node, what string, hasMetrics bool) []Threshold {
	var out []Threshold
	for i, en := range d.list(n, what) {
		w := what + "[" + strconv.Itoa(i) + "]"
		o := d.object(en, w, thresholdKeys)
		if o == nil {
			continue
		}
		th := Threshold{Hysteresis: DefaultHysteresis}
		sn := o["series"]
		if sn == nil {
			d.errf(en, "%s: needs series: rss, anon, working_set, usage or a Prometheus series the target exports", w)
			continue
		}
		th.Series, _ = d.str(sn, w+".series")
		builtin := th.Series == SeriesRSS || th.Series == SeriesAnon || th.Series == SeriesWorkingSet || th.Series == SeriesUsage
		switch {
		case th.Series == "":
		case !builtin && !promName.MatchString(th.Series):
			d.errf(sn, "%s.series: %q is neither rss, anon, working_set, usage nor a Prometheus series name", w, th.Series)
		case !builtin && !hasMetrics:
			d.errf(sn, "%s.series: %s is a Prometheus series: the target needs metrics: (the path it is scraped from)", w, th.Series)
		}
		an := o["above"]
		if an == nil {
			d.errf(en, "%s: needs above: the level, a size like 1GiB or a number", w)
			continue
		}
		if rn := d.resolve(an); rn.Kind == yaml.ScalarNode && isNumber(rn.Value) {
			th.Above, _ = d.positive(an, w+".above", 1e300, "every sample would be above it")
		} else if v, ok := d.size(an, w+".above"); ok {
			if v == 0 {
				d.errf(an, "%s.above: must be greater than 0: every sample would be above it", w)
			}
			th.Above = float64(v)
		}
		if hn := o["hysteresis"]; hn != nil {
			th.Hysteresis = d.share(hn, w+".hysteresis")
		}
		out = append(out, th)
	}
	return out
}

// share reads a share of 1 in [0, 1): "10%" or 0.1.
func (d *decoder) share(n *yaml.Node, what string) float64 {
	n, s, ok := d.scalar(n, what, "a share like 10% or 0.1")
	if !ok {
		return 0
	}
	pct := strings.HasSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if pct {
		v /= 100
	}
	if err != nil || !(v >= 0 && v < 1) {
		d.errf(n, "%s: expected a share from 0 to under 1, like 10%% or 0.1, got %q", what, s)
		return 0
	}
	return v
}

// isNumber reports whether s is a plain number (no unit).
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return err == nil
}
