package matrix

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// problem is a failure found while expanding, with the dotted path of the
// matrix node to blame ("targets.hog.env.GOGC", "value:duration=1s").
type problem struct {
	where string
	msg   string
}

// expansion is the result of expanding a matrix, with what Parse needs to
// report: how many cells each exclude and include entry touched.
type expansion struct {
	cells       []Cell
	excludeHits []int
	includeHits []int
	perTarget   map[string]int
	problems    []problem
}

// draft is a cell before it is typed and rendered: values of the target's
// own axes (orig) and values added by include entries (extra).
type draft struct {
	orig, extra map[string]string
}

// Expand lists the cells of the matrix: for each target in file order, the
// cartesian product of its axes (the first axis varies slowest), minus the
// cells an exclude entry matches, then the include entries applied. With
// repeats > 1 the whole list is repeated, repeat 1 first, so repeats of a
// cell are spread over the run. The order and ids are deterministic.
func (m *Matrix) Expand() ([]Cell, error) {
	x := m.expand()
	if len(x.problems) > 0 {
		errs := make([]error, len(x.problems))
		for i, p := range x.problems {
			errs[i] = errors.New(p.msg)
		}
		return nil, fmt.Errorf("%w: %w", ErrExpand, errors.Join(errs...))
	}
	return x.cells, nil
}

func (m *Matrix) expand() *expansion {
	x := &expansion{excludeHits: make([]int, len(m.Exclude)), includeHits: make([]int, len(m.Include)), perTarget: map[string]int{}}
	var all []Cell
	total := 0
	for ti := range m.Targets {
		t := &m.Targets[ti]
		axes := m.cellAxes(t)
		n := 1
		for _, a := range axes {
			n *= len(a.Values)
			if n > MaxCells {
				break
			}
		}
		total += n
		if total*max(m.Repeats, 1) > MaxCells {
			x.problems = append(x.problems, problem{"targets." + t.Name, fmt.Sprintf("the matrix expands to more than %d cells", MaxCells)})
			return x
		}
		drafts := m.targetDrafts(t, axes, x)
		cells := m.typed(t, drafts, x)
		x.perTarget[t.Name] = len(cells)
		all = append(all, cells...)
	}
	repeats := max(m.Repeats, 1)
	for r := 1; r <= repeats; r++ {
		for _, c := range all {
			if repeats > 1 {
				c.Repeat = r
				c.ID = CellID(c.Target, c.Axes, r)
			}
			x.cells = append(x.cells, c)
		}
	}
	m.render(x)
	return x
}

// targetDrafts builds the product of axes, drops excluded combinations and
// applies include entries the way GitHub Actions does.
func (m *Matrix) targetDrafts(t *Target, axes []Axis, x *expansion) []*draft {
	base := []*draft{{orig: map[string]string{}, extra: map[string]string{}}}
	for _, a := range axes {
		next := make([]*draft, 0, len(base)*len(a.Values))
		for _, b := range base {
			for _, v := range a.Values {
				o := make(map[string]string, len(b.orig)+1)
				for k, w := range b.orig {
					o[k] = w
				}
				o[a.Name] = v
				next = append(next, &draft{orig: o, extra: map[string]string{}})
			}
		}
		base = next
	}
	kept := base[:0]
	for _, b := range base {
		excluded := false
		for i, e := range m.Exclude {
			if excludes(e, t.Name, b.orig) {
				x.excludeHits[i]++
				excluded = true
			}
		}
		if !excluded {
			kept = append(kept, b)
		}
	}
	var added []*draft
	unused := m.UnusedAxes(t)
	for i, e := range m.Include {
		if tn, ok := e["target"]; ok && tn != t.Name {
			continue
		}
		e = without(e, unused)
		matched := 0
		for _, b := range kept {
			if includeMatches(e, b.orig) {
				for k, v := range e {
					if _, isOrig := b.orig[k]; !isOrig && k != "target" {
						b.extra[k] = v
					}
				}
				matched++
			}
		}
		if matched == 0 {
			nd := &draft{orig: map[string]string{}, extra: map[string]string{}}
			for _, a := range axes {
				if len(a.Values) > 0 {
					nd.orig[a.Name] = a.Values[0]
				}
			}
			for k, v := range e {
				if k != "target" {
					nd.orig[k] = v
				}
			}
			added = append(added, nd)
			matched = 1
		}
		x.includeHits[i] += matched
	}
	return append(kept, added...)
}

// excludes says whether exclude entry e removes a cell of target with values.
func excludes(e map[string]string, target string, values map[string]string) bool {
	for k, v := range e {
		if k == "target" {
			if v != target {
				return false
			}
			continue
		}
		if w, ok := values[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// includeMatches says whether include entry e extends a product cell: none
// of its values contradicts the cell's own axis values.
func includeMatches(e map[string]string, orig map[string]string) bool {
	for k, v := range e {
		if w, ok := orig[k]; ok && w != v {
			return false
		}
	}
	return true
}

// typed turns drafts into cells with ids and typed views, dropping
// duplicates (an include entry that re-adds a cell).
func (m *Matrix) typed(t *Target, drafts []*draft, x *expansion) []Cell {
	seen := map[string]bool{}
	var out []Cell
	for _, d := range drafts {
		axes := make(map[string]string, len(d.orig)+len(d.extra))
		for k, v := range d.orig {
			axes[k] = v
		}
		for k, v := range d.extra {
			axes[k] = v
		}
		c := Cell{Target: t.Name, Kind: t.Kind, Axes: axes, ID: CellID(t.Name, axes, 0)}
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		var err error
		// A client or workload target's cell has no tasks or rps when the
		// target does not read them (UnusedAxes): 0.
		if v, ok := axes[AxisTasks]; ok {
			if c.Tasks, err = strconv.Atoi(v); err != nil {
				x.problems = append(x.problems, problem{"value:tasks=" + v, fmt.Sprintf("cell %s: bad tasks %q", c.ID, v)})
			}
		}
		if v, ok := axes[AxisRPS]; ok {
			if c.RPS, err = strconv.ParseFloat(v, 64); err != nil {
				x.problems = append(x.problems, problem{"value:rps=" + v, fmt.Sprintf("cell %s: bad rps %q", c.ID, v)})
			}
		}
		if c.Duration, err = ParseDuration(axes[AxisDuration]); err != nil {
			x.problems = append(x.problems, problem{"value:duration=" + axes[AxisDuration], fmt.Sprintf("cell %s: bad duration %q", c.ID, axes[AxisDuration])})
		}
		if c.RAM, err = ParseSize(axes[AxisRAM]); err != nil {
			x.problems = append(x.problems, problem{"value:ram=" + axes[AxisRAM], fmt.Sprintf("cell %s: bad ram %q", c.ID, axes[AxisRAM])})
		}
		c.Percentiles = axes[AxisPercentiles]
		c.Warmup = t.Warmup
		if c.Warmup == 0 {
			c.Warmup = time.Duration(float64(c.Duration) * DefaultWarmupFraction)
		}
		if c.Duration > 0 && c.Warmup >= c.Duration {
			x.problems = append(x.problems, problem{"targets." + t.Name + ".warmup", fmt.Sprintf("targets.%s.warmup: %s is not shorter than the duration of cell %s", t.Name, FormatDuration(c.Warmup), c.ID)})
		}
		if m.Interval > 0 && c.Duration > 0 && c.Duration < m.Interval {
			x.problems = append(x.problems, problem{"value:duration=" + axes[AxisDuration], fmt.Sprintf("duration %s is shorter than the sampling interval %s", axes[AxisDuration], FormatDuration(m.Interval))})
		}
		out = append(out, c)
	}
	return out
}

// render fills Cell.Env from each target's templates and env axes.
func (m *Matrix) render(x *expansion) {
	tmpls := map[string]map[string]*template.Template{}
	targets := map[string]*Target{}
	for i := range m.Targets {
		t := &m.Targets[i]
		targets[t.Name] = t
		tmpls[t.Name] = map[string]*template.Template{}
		for k, v := range t.Env {
			tp, err := parseTemplate(k, v)
			if err != nil {
				x.problems = append(x.problems, problem{"targets." + t.Name + ".env." + k, fmt.Sprintf("targets.%s.env.%s: %v", t.Name, k, cleanTemplateErr(err))})
				return
			}
			tmpls[t.Name][k] = tp
		}
	}
	for i := range x.cells {
		c := &x.cells[i]
		env, key, err := renderEnv(targets[c.Target], tmpls[c.Target], c.Axes, c.Repeat)
		if err != nil {
			x.problems = append(x.problems, problem{"targets." + c.Target + ".env." + key, fmt.Sprintf("targets.%s.env.%s: %v in cell %s", c.Target, key, err, c.ID)})
			continue
		}
		for _, k := range sortedKeys(env) {
			if strings.ContainsRune(env[k], 0) {
				where, what := "targets."+c.Target+".env."+k, "targets."+c.Target+".env."+k
				if _, own := targets[c.Target].Env[k]; !own {
					where, what = "value:"+EnvAxisPrefix+k+"="+c.Axes[EnvAxisPrefix+k], "axis "+EnvAxisPrefix+k
				}
				x.problems = append(x.problems, problem{where, fmt.Sprintf("%s: the value holds a NUL byte, which no environment variable can carry (cell %s)", what, c.ID)})
			}
		}
		c.Env = env
		if _, err := targets[c.Target].Args(*c, 1, ""); err != nil {
			x.problems = append(x.problems, problem{"targets." + c.Target + ".command", fmt.Sprintf("%v in cell %s", err, c.ID)})
		}
	}
}
