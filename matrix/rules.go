package matrix

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	compareKeys   = []string{"name", "axis", "baseline", "candidate", "targets", "scorecard", KeyEarlyStop}
	scorecardKeys = []string{KeyMinRSSDropPct, KeyMaxThroughputLossPct, KeyMaxDriftPct, KeyAlpha, KeyMaxCPUPerOpRisePct, KeyMaxCVPct, KeyRatios}
	ratioKeys     = []string{KeyRatioName, KeyRatio, KeyMaxRisePct, KeyMax, KeyHard}
	judgeKeys     = judgeKeyNames()
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
		if v := o[KeyEarlyStop]; v != nil {
			c.EarlyStop, _ = d.earlyStop(v, w+"."+KeyEarlyStop)
		}
		out = append(out, c)
	}
	return out
}

// scorecard decodes a compare block's `scorecard:`. Absent fields stay
// zero and out of Set: reports fills them from its documented defaults. A
// zero that would make the gate meaningless is refused.
func (d *decoder) scorecard(n *yaml.Node, what string) Scorecard {
	var s Scorecard
	o := d.object(n, what, scorecardKeys)
	set := func(k string, ok bool) { markSet(&s.Set, k, ok) }
	var ok bool
	if v := o[KeyMinRSSDropPct]; v != nil {
		s.MinRSSDropPct, ok = d.number(v, what+"."+KeyMinRSSDropPct, 0, 100)
		set(KeyMinRSSDropPct, ok)
	}
	if v := o[KeyMaxThroughputLossPct]; v != nil {
		s.MaxThroughputLossPct, ok = d.number(v, what+"."+KeyMaxThroughputLossPct, 0, 100)
		set(KeyMaxThroughputLossPct, ok)
	}
	if v := o[KeyMaxDriftPct]; v != nil {
		s.MaxDriftPct, ok = d.positive(v, what+"."+KeyMaxDriftPct, 1e6,
			"a flat candidate's drift is noise around 0, so at 0 the gate would fail about every other run")
		set(KeyMaxDriftPct, ok)
	}
	if v := o[KeyMaxCPUPerOpRisePct]; v != nil {
		s.MaxCPUPerOpRisePct, ok = d.number(v, what+"."+KeyMaxCPUPerOpRisePct, 0, 1e6)
		set(KeyMaxCPUPerOpRisePct, ok)
	}
	if v := o[KeyMaxCVPct]; v != nil {
		s.MaxCVPct, ok = d.positive(v, what+"."+KeyMaxCVPct, 1e6,
			"no throughput is perfectly steady, so every candidate would fail; leave the key out for no CV gate")
		set(KeyMaxCVPct, ok)
	}
	if v := o[KeyRatios]; v != nil {
		s.Ratios = d.ratios(v, what+"."+KeyRatios)
	}
	if v := o[KeyAlpha]; v != nil {
		v = d.resolve(v)
		if a, ok := d.number(v, what+"."+KeyAlpha, 0, 1); ok && (a == 0 || a == 1) {
			d.errf(v, "%s.alpha: must be strictly between 0 and 1, got %s", what, fmtFloat(a))
		} else if ok {
			s.Alpha = a
			set(KeyAlpha, true)
		}
	}
	return s
}

// ratios decodes a scorecard's `ratios:`: rows with a unique name, two
// counters and at least one threshold.
func (d *decoder) ratios(n *yaml.Node, what string) []Ratio {
	var out []Ratio
	names := map[string]bool{}
	for i, rn := range d.list(n, what) {
		w := fmt.Sprintf("%s[%d]", what, i)
		d.pos[w] = d.resolve(rn)
		o := d.object(rn, w, ratioKeys)
		var r Ratio
		for _, k := range []string{KeyRatioName, KeyRatio} {
			if o[k] == nil {
				d.errf(d.resolve(rn), "%s: %s is required", w, k)
			}
		}
		if v := o[KeyRatioName]; v != nil {
			r.Name, _ = d.nonEmpty(v, w+".name")
			if names[r.Name] {
				d.errf(v, "%s.name: duplicate ratio name %q", w, r.Name)
			}
			names[r.Name] = true
		}
		if v := o[KeyRatio]; v != nil {
			d.pos[w+".ratio"] = d.resolve(v)
			parts := d.strList(v, w+".ratio")
			if len(parts) != 2 {
				d.errf(v, "%s.ratio: expected [numerator, denominator], two counter names, got %d", w, len(parts))
			} else {
				for j, name := range parts {
					if !IsBuiltinCounter(name) && !promName.MatchString(name) {
						d.errf(d.resolve(v).Content[j], "%s.ratio[%d]: %q is neither a counter soaklab keeps (%s) nor a Prometheus series name",
							w, j, name, builtinCounterNames())
					}
				}
				r.Num, r.Den = parts[0], parts[1]
				if r.Num == r.Den {
					d.errf(v, "%s.ratio: numerator and denominator are both %q", w, r.Num)
				}
			}
		}
		set := func(k string, ok bool) { markSet(&r.Set, k, ok) }
		var ok bool
		if v := o[KeyMaxRisePct]; v != nil {
			r.MaxRisePct, ok = d.number(v, w+"."+KeyMaxRisePct, 0, 1e6)
			set(KeyMaxRisePct, ok)
		}
		if v := o[KeyMax]; v != nil {
			r.Max, ok = d.number(v, w+"."+KeyMax, 0, 1e300)
			set(KeyMax, ok)
		}
		if o[KeyMaxRisePct] == nil && o[KeyMax] == nil {
			d.errf(d.resolve(rn), "%s: needs a threshold: %s (the candidate's rise over the baseline, in %%) or %s (a budget for the candidate's ratio), or both", w, KeyMaxRisePct, KeyMax)
		}
		if v := o[KeyHard]; v != nil {
			vn, s, good := d.scalar(v, w+".hard", "true or false")
			switch {
			case !good:
			case s == "true":
				r.Hard = true
			case s == "false":
			default:
				d.errf(vn, "%s.hard: expected true or false, got %q", w, s)
			}
		}
		out = append(out, r)
	}
	return out
}

func builtinCounterNames() string {
	names := make([]string, len(BuiltinCounters))
	for i, c := range BuiltinCounters {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// judge decodes `judge:`. Absent fields stay zero and out of Set: reports
// fills them from its documented defaults. A zero that would make a
// criterion meaningless is refused.
func (d *decoder) judge(n *yaml.Node) Judge {
	var j Judge
	o := d.object(n, "judge", judgeKeys)
	set := func(k string, ok bool) { markSet(&j.Set, k, ok) }
	for _, k := range JudgeKeys {
		v := o[k.Key]
		if v == nil {
			continue
		}
		what, ok := "judge."+k.Key, false
		switch f := k.Field(&j).(type) {
		case *float64:
			if k.ZeroRefused != "" {
				*f, ok = d.positive(v, what, k.Hi, k.ZeroRefused)
			} else {
				*f, ok = d.number(v, what, k.Lo, k.Hi)
			}
		case *time.Duration:
			*f, ok = d.duration(v, what)
		case *int:
			*f, ok = d.integer(v, what, int(k.Lo))
		}
		set(k.Key, ok)
	}
	if v := o[KeyEarlyStop]; v != nil {
		j.EarlyStop, _ = d.earlyStop(v, "judge."+KeyEarlyStop)
	}
	return j
}

// earlyStop reads `early_stop:` true, false or record.
func (d *decoder) earlyStop(n *yaml.Node, what string) (EarlyStop, bool) {
	n, s, ok := d.scalar(n, what, "true, false or record")
	if !ok {
		return "", false
	}
	switch s {
	case "true":
		return EarlyStopOn, true
	case "false":
		return EarlyStopOff, true
	case "record":
		return EarlyStopRecord, true
	}
	d.errf(n, "%s: expected true, false or record, got %q", what, s)
	return "", false
}

// markSet records in *set that key k was given, when ok (it decoded).
func markSet(set *map[string]bool, k string, ok bool) {
	if !ok {
		return
	}
	if *set == nil {
		*set = map[string]bool{}
	}
	(*set)[k] = true
}
