package matrix

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	compareKeys   = []string{"name", "axis", "baseline", "candidate", "targets", "scorecard"}
	scorecardKeys = []string{"min_rss_drop_pct", "max_throughput_loss_pct", "max_drift_pct", "alpha"}
	judgeKeys     = []string{"max_drift_pct", "max_slope_mib_per_h", "horizon", "max_error_rate", "min_rate_ratio", "peak_warn_ratio", "max_cv", "max_p99", "min_samples"}
)

// rules decodes `exclude:` or `include:`: a list of mappings of axis (or
// target) -> value, values canonicalised by their axis. Whether the keys
// name real axes is checked once every axis is known.
func (d *decoder) rules(n *yaml.Node, what string) []map[string]string {
	var out []map[string]string
	for i, en := range d.list(n, what) {
		w := fmt.Sprintf("%s[%d]", what, i)
		d.pos[w] = d.resolve(en)
		fs := d.fields(en, w)
		if len(fs) == 0 {
			d.errf(d.resolve(en), "%s: an empty entry; give target and axis values", w)
		}
		rule := map[string]string{}
		for _, f := range fs {
			d.pos[w+"."+f.key] = f.keyPos
			vn, s, ok := d.scalar(f.val, w+"."+f.key, "one value")
			if !ok {
				continue
			}
			c, err := Canonical(f.key, s)
			if err != nil {
				d.errf(vn, "%s.%s: %v", w, f.key, strings.TrimPrefix(err.Error(), f.key+": "))
				continue
			}
			d.pos[w+"."+f.key+"="] = vn
			if _, ok := d.pos["value:"+f.key+"="+c]; !ok {
				d.pos["value:"+f.key+"="+c] = vn
			}
			rule[f.key] = c
		}
		out = append(out, rule)
	}
	return out
}

func (d *decoder) compares(n *yaml.Node) []Compare {
	var out []Compare
	names := map[string]bool{}
	for i, cn := range d.list(n, "compare") {
		w := fmt.Sprintf("compare[%d]", i)
		d.pos[w] = d.resolve(cn)
		o := d.object(cn, w, compareKeys)
		var c Compare
		for _, k := range []string{"name", "axis", "baseline", "candidate"} {
			if o[k] == nil {
				d.errf(d.resolve(cn), "%s: %s is required", w, k)
			}
		}
		if v := o["name"]; v != nil {
			c.Name, _ = d.nonEmpty(v, w+".name")
			if names[c.Name] {
				d.errf(v, "%s.name: duplicate compare name %q", w, c.Name)
			}
			names[c.Name] = true
		}
		if v := o["axis"]; v != nil {
			d.pos[w+".axis"] = v
			c.Axis, _ = d.nonEmpty(v, w+".axis")
		}
		for _, k := range []string{"baseline", "candidate"} {
			v := o[k]
			if v == nil {
				continue
			}
			d.pos[w+"."+k] = v
			vn, s, ok := d.scalar(v, w+"."+k, "an axis value")
			if !ok {
				continue
			}
			cv, err := Canonical(c.Axis, s)
			if err != nil {
				d.errf(vn, "%s.%s: %v", w, k, err)
				continue
			}
			if k == "baseline" {
				c.Baseline = cv
			} else {
				c.Candidate = cv
			}
		}
		if c.Baseline != "" && c.Baseline == c.Candidate {
			d.errf(o["candidate"], "%s: baseline and candidate are both %q", w, c.Baseline)
		}
		if v := o["targets"]; v != nil {
			d.pos[w+".targets"] = v
			c.Targets = d.strList(v, w+".targets")
		}
		c.Scorecard = d.scorecard(o["scorecard"], w+".scorecard")
		out = append(out, c)
	}
	return out
}

func (d *decoder) scorecard(n *yaml.Node, what string) Scorecard {
	var s Scorecard
	o := d.object(n, what, scorecardKeys)
	if v := o["min_rss_drop_pct"]; v != nil {
		s.MinRSSDropPct, _ = d.number(v, what+".min_rss_drop_pct", 0, 100)
	}
	if v := o["max_throughput_loss_pct"]; v != nil {
		s.MaxThroughputLossPct, _ = d.number(v, what+".max_throughput_loss_pct", 0, 100)
	}
	if v := o["max_drift_pct"]; v != nil {
		s.MaxDriftPct, _ = d.number(v, what+".max_drift_pct", 0, 1e6)
	}
	if v := o["alpha"]; v != nil {
		if a, ok := d.number(v, what+".alpha", 0, 1); ok && (a == 0 || a == 1) {
			d.errf(v, "%s.alpha: must be strictly between 0 and 1, got %s", what, fmtFloat(a))
		} else {
			s.Alpha = a
		}
	}
	return s
}

// judge decodes `judge:`. Absent fields stay zero: reports fills them from
// its documented defaults.
func (d *decoder) judge(n *yaml.Node) Judge {
	var j Judge
	o := d.object(n, "judge", judgeKeys)
	num := func(k string, dst *float64, lo, hi float64) {
		if v := o[k]; v != nil {
			*dst, _ = d.number(v, "judge."+k, lo, hi)
		}
	}
	dur := func(k string, dst *time.Duration) {
		if v := o[k]; v != nil {
			*dst, _ = d.duration(v, "judge."+k)
		}
	}
	num("max_drift_pct", &j.MaxDriftPct, 0, 1e6)
	num("max_slope_mib_per_h", &j.MaxSlopeMiBPerH, 0, 1e9)
	dur("horizon", &j.Horizon)
	num("max_error_rate", &j.MaxErrorRate, 0, 1)
	num("min_rate_ratio", &j.MinRateRatio, 0, 1)
	num("peak_warn_ratio", &j.PeakWarnRatio, 0, 1)
	num("max_cv", &j.MaxCV, 0, 1e6)
	dur("max_p99", &j.MaxP99)
	if v := o["min_samples"]; v != nil {
		j.MinSamples, _ = d.integer(v, "judge.min_samples", 0)
	}
	return j
}
