package matrix

import (
	"fmt"
	"sort"
	"strings"
)

// check makes the checks that need the whole file: names used in include,
// exclude, compare and env templates must exist.
func (d *decoder) check(m *Matrix) {
	targets := make([]string, len(m.Targets))
	for i, t := range m.Targets {
		targets[i] = t.Name
	}
	universe := map[string]bool{}
	for _, a := range m.Axes {
		universe[a.Name] = true
	}
	for _, t := range m.Targets {
		for _, a := range t.Axes {
			universe[a.Name] = true
		}
	}
	axisNames := sortedKeys(universe)
	var global []string
	for _, a := range m.Axes {
		global = append(global, a.Name)
	}
	for _, t := range m.Targets {
		for _, a := range t.Axes {
			if contains(global, a.Name) {
				continue
			}
			if c := closest(a.Name, global); c != "" {
				d.errf(d.pos["targets."+t.Name+".axes."+a.Name], "targets.%s.axes: %q is not a global axis: did you mean %q? (a target-only axis needs a distinct name)", t.Name, a.Name, c)
			}
		}
	}
	includeKeys := map[string]bool{}
	for _, list := range []struct {
		what  string
		rules []map[string]string
	}{{"exclude", m.Exclude}, {"include", m.Include}} {
		for i, r := range list.rules {
			w := fmt.Sprintf("%s[%d]", list.what, i)
			for _, k := range sortedKeys(r) {
				switch {
				case k == "target":
					if !contains(targets, r[k]) {
						d.errf(d.pos[w+".target="], "%s.target: unknown target %q: %s", w, r[k], didYouMean(r[k], targets))
					}
				case !universe[k]:
					d.errf(d.pos[w+"."+k], "%s: unknown axis %q: %s", w, k, didYouMean(k, append([]string{"target"}, axisNames...)))
				case list.what == "include":
					includeKeys[k] = true
				}
			}
		}
	}
	for i := range m.Compare {
		d.checkCompare(m, fmt.Sprintf("compare[%d]", i), &m.Compare[i], universe, axisNames, targets)
	}
	for _, t := range m.Targets {
		known := map[string]bool{"target": true, "repeat": true, "env": true}
		for _, a := range m.targetAxes(&t) {
			known[a.Name] = true
		}
		for k := range includeKeys {
			known[k] = true
		}
		for _, k := range sortedKeys(t.Env) {
			at := d.pos["targets."+t.Name+".env."+k]
			tp, err := parseTemplate(k, t.Env[k])
			if err != nil {
				d.errf(at, "targets.%s.env.%s: bad template: %s", t.Name, k, cleanTemplateErr(err))
				continue
			}
			for _, f := range templateFields(tp) {
				if !known[f] {
					d.errf(at, "targets.%s.env.%s: template uses unknown axis %q: %s", t.Name, k, f, didYouMean(f, sortedKeys(known)))
				}
			}
		}
		tps, errs := commandTemplates(&t)
		for i := range t.Command {
			at := d.pos[fmt.Sprintf("targets.%s.command[%d]", t.Name, i)]
			if err := errs[i]; err != nil {
				d.errf(at, "targets.%s.command[%d]: bad template: %s", t.Name, i, cleanTemplateErr(err))
				continue
			}
			if tps[i] == nil {
				continue
			}
			withRuntime := map[string]bool{CommandPort: true, CommandSink: true}
			for k := range known {
				withRuntime[k] = true
			}
			for _, f := range templateFields(tps[i]) {
				if !withRuntime[f] {
					d.errf(at, "targets.%s.command[%d]: template uses unknown axis %q: %s", t.Name, i, f, didYouMean(f, sortedKeys(withRuntime)))
				}
			}
		}
		for _, a := range m.Axes {
			if strings.HasPrefix(a.Name, EnvAxisPrefix) {
				if _, clash := t.Env[strings.TrimPrefix(a.Name, EnvAxisPrefix)]; clash {
					d.errf(d.pos["targets."+t.Name+".env."+strings.TrimPrefix(a.Name, EnvAxisPrefix)],
						"targets.%s.env: %s is also set by axis %s; drop one (override the axis per target under axes:)", t.Name, strings.TrimPrefix(a.Name, EnvAxisPrefix), a.Name)
				}
			}
		}
	}
}

func (d *decoder) checkCompare(m *Matrix, w string, c *Compare, universe map[string]bool, axisNames, targets []string) {
	if c.Axis == "" {
		return
	}
	if !universe[c.Axis] {
		d.errf(d.pos[w+".axis"], "%s.axis: unknown axis %q: %s", w, c.Axis, didYouMean(c.Axis, axisNames))
		return
	}
	has := func(t *Target, v string) bool {
		a := findAxis(m.targetAxes(t), c.Axis)
		return a != nil && contains(a.Values, v)
	}
	if len(c.Targets) > 0 {
		for _, name := range c.Targets {
			var t *Target
			for i := range m.Targets {
				if m.Targets[i].Name == name {
					t = &m.Targets[i]
				}
			}
			if t == nil {
				d.errf(d.pos[w+".targets"], "%s.targets: unknown target %q: %s", w, name, didYouMean(name, targets))
				continue
			}
			for _, v := range []string{c.Baseline, c.Candidate} {
				if v != "" && !has(t, v) {
					d.errf(d.pos[w+".targets"], "%s: target %s has no value %s=%s", w, name, c.Axis, v)
				}
			}
		}
		d.checkRatios(m, w, c)
		return
	}
	for i := range m.Targets {
		if has(&m.Targets[i], c.Baseline) && has(&m.Targets[i], c.Candidate) {
			c.Targets = append(c.Targets, m.Targets[i].Name)
		}
	}
	if len(c.Targets) == 0 && c.Baseline != "" && c.Candidate != "" {
		d.errf(d.pos[w], "%s: no target has both %s=%s and %s=%s", w, c.Axis, c.Baseline, c.Axis, c.Candidate)
	}
	d.checkRatios(m, w, c)
}

// checkRatios warns about a ratio row naming a series that a compared
// target does not record: its row would be "not measured" in every cell.
func (d *decoder) checkRatios(m *Matrix, w string, c *Compare) {
	for i, r := range c.Scorecard.Ratios {
		at := d.pos[fmt.Sprintf("%s.scorecard.ratios[%d].ratio", w, i)]
		for _, name := range []string{r.Num, r.Den} {
			if name == CounterRequests || name == CounterErrors {
				for _, tn := range c.Targets {
					for j := range m.Targets {
						if t := &m.Targets[j]; t.Name == tn && t.Kind == KindWorkload {
							d.warnf(at, "%s.scorecard.ratios[%d] (%s): workload target %s has no requests soaklab counts: use %s (its throughput counter)", w, i, r.Name, tn, CounterOps)
						}
					}
				}
			}
			if name == "" || IsBuiltinCounter(name) {
				continue
			}
			for _, tn := range c.Targets {
				for j := range m.Targets {
					t := &m.Targets[j]
					if t.Name != tn || t.Throughput == name || contains(t.MetricsKeep, name) {
						continue
					}
					known := append([]string{t.Throughput}, t.MetricsKeep...)
					for _, b := range BuiltinCounters {
						known = append(known, b.Name)
					}
					hint := ""
					if c := closest(name, known); c != "" {
						hint = fmt.Sprintf(" (did you mean %q?)", c)
					}
					d.warnf(at, "%s.scorecard.ratios[%d] (%s): target %s does not record %s: add it to the target's metrics_keep%s", w, i, r.Name, tn, name, hint)
				}
			}
		}
	}
}

// checkExpansion expands the matrix and reports what only shows then:
// templates that fail for some cell, warm-ups longer than a cell, entries
// that match nothing.
func (d *decoder) checkExpansion(m *Matrix) {
	x := m.expand()
	// One report per place, however many cells share the problem.
	count := map[string]int{}
	for _, p := range x.problems {
		count[p.where]++
	}
	for _, p := range x.problems {
		n, ok := count[p.where]
		if !ok {
			continue
		}
		delete(count, p.where)
		if n > 1 {
			p.msg += fmt.Sprintf(" (and %d more cells)", n-1)
		}
		d.errf(d.pos[p.where], "%s", p.msg)
	}
	if len(x.problems) > 0 {
		return
	}
	if len(x.cells) == 0 {
		d.errf(nil, "the matrix expands to no cells: every combination is excluded")
		return
	}
	d.checkLoad(m, x.cells)
	for i, n := range x.excludeHits {
		if n == 0 {
			d.warnf(d.pos[fmt.Sprintf("exclude[%d]", i)], "exclude[%d] matches no cell", i)
		}
	}
	for i, n := range x.includeHits {
		if n == 0 {
			d.warnf(d.pos[fmt.Sprintf("include[%d]", i)], "include[%d] applies to no target", i)
		}
	}
	for _, t := range m.Targets {
		if x.perTarget[t.Name] == 0 {
			d.warnf(d.pos["targets."+t.Name], "target %s has no cells: all are excluded", t.Name)
		}
		// A target's own values of an axis it does not read are a mistake.
		for _, name := range m.UnusedAxes(&t) {
			if a := findAxis(t.Axes, name); a != nil {
				d.warnf(d.pos["targets."+t.Name+".axes."+name], "targets.%s.axes.%s: target %s (kind %s) does not read {{.%s}} in its env or command, so its cells are not multiplied by %s and their ids leave it out",
					t.Name, name, t.Name, t.Kind, name, name)
			}
		}
	}
	// Values of a global axis no target reads make no cells: saying
	// nothing would leave the user expecting one cell per value.
	for _, a := range m.Axes {
		if !contains(DriverAxes, a.Name) || len(a.Values) < 2 {
			continue
		}
		used := false
		for i := range m.Targets {
			t := &m.Targets[i]
			if findAxis(t.Axes, a.Name) == nil && !contains(m.UnusedAxes(t), a.Name) {
				used = true
			}
		}
		if !used {
			d.warnf(d.pos["axes."+a.Name], "axes.%s: no target reads it (client and workload targets read {{.%s}} in their env or command, or not at all), so its values (%s) make no cells of their own",
				a.Name, a.Name, strings.Join(a.Values, ", "))
		}
	}
	for i, c := range m.Compare {
		if len(Pairs(x.cells, c)) == 0 {
			d.warnf(d.pos[fmt.Sprintf("compare[%d]", i)], "compare %s: no two cells differ only in %s", c.Name, c.Axis)
		}
	}
	if ramp := m.Workload.Ramp; ramp > 0 {
		for _, c := range x.cells {
			if ramp >= c.Duration {
				d.warnf(d.pos["workload.ramp"], "workload.ramp %s is not shorter than the duration of cell %s", FormatDuration(ramp), c.ID)
				break
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
