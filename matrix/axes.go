package matrix

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// WellKnownAxes are the axes soaklab itself understands, in the order
// DefaultAxes appends them.
var WellKnownAxes = []string{AxisTasks, AxisRPS, AxisDuration, AxisRAM, AxisPercentiles}

// reserved names cannot be axes: they mean something else in include,
// exclude and env templates.
var reserved = []string{"target", "env", "repeat"}

var axisName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// minRAM catches a forgotten unit: "ram: [64]" is 64 bytes.
const minRAM = 1 << 20

// Canonical checks v as a value of the named axis and returns its canonical
// spelling: tasks a whole number, rps a number ("500", "0.5"), duration Go
// syntax without zero parts ("90s" is "1m30s"), ram FormatSize ("128MiB"),
// percentiles lower case. Other axes keep their text.
func Canonical(axis, v string) (string, error) {
	switch axis {
	case AxisTasks:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return "", fmt.Errorf("tasks: expected a whole number of at least 1, got %q", v)
		}
		if n > MaxTasks {
			return "", fmt.Errorf("tasks: at most %d, got %q", MaxTasks, v)
		}
		return strconv.Itoa(n), nil
	case AxisRPS:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return "", fmt.Errorf("rps: expected a positive number of requests per second, got %q", v)
		}
		if f > MaxRPS {
			return "", fmt.Errorf("rps: at most %d, got %q", MaxRPS, v)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case AxisDuration:
		d, err := ParseDuration(v)
		if err != nil || d <= 0 {
			return "", fmt.Errorf("duration: expected a positive duration like 30s, 10m or 1d12h, got %q", v)
		}
		return FormatDuration(d), nil
	case AxisRAM:
		n, err := ParseSize(v)
		if err != nil {
			return "", fmt.Errorf("ram: expected a size like 128MiB or 1GiB, got %q", v)
		}
		if n < minRAM {
			return "", fmt.Errorf("ram: %q is below 1MiB; a unit is missing? (e.g. %sMiB)", v, strings.TrimSpace(v))
		}
		return FormatSize(n), nil
	case AxisPercentiles:
		for _, m := range PercentileModes {
			if strings.EqualFold(strings.TrimSpace(v), m) {
				return m, nil
			}
		}
		return "", fmt.Errorf("percentiles: unknown mode %q: %s", v, didYouMean(v, PercentileModes))
	}
	return v, nil
}

// checkAxisName reports what is wrong with an axis name, or "".
func checkAxisName(name string) string {
	if contains(WellKnownAxes, name) {
		return ""
	}
	if strings.HasPrefix(name, EnvAxisPrefix) {
		if !envName.MatchString(strings.TrimPrefix(name, EnvAxisPrefix)) {
			return fmt.Sprintf("bad env axis %q: expected env.NAME with NAME an environment variable name", name)
		}
		return ""
	}
	if contains(reserved, name) {
		return fmt.Sprintf("%q is reserved and cannot name an axis", name)
	}
	if !axisName.MatchString(name) {
		return fmt.Sprintf("bad axis name %q: use letters, digits and '_' (env axes are env.NAME)", name)
	}
	if c := closest(name, WellKnownAxes); c != "" {
		return fmt.Sprintf("axis %q looks like a typo: did you mean %q? (rename the user axis if not)", name, c)
	}
	return ""
}

// axes decodes a mapping of axis name -> list of values (or one value).
func (d *decoder) axes(n *yaml.Node, what, poskey string) []Axis {
	var out []Axis
	for _, f := range d.fields(n, what) {
		if msg := checkAxisName(f.key); msg != "" {
			d.errf(f.keyPos, "%s: %s", what, msg)
			continue
		}
		d.pos[poskey+"."+f.key] = f.keyPos
		ax := Axis{Name: f.key}
		vals := []*yaml.Node{f.val}
		if r := d.resolve(f.val); r.Kind == yaml.SequenceNode || isNull(r) {
			vals = d.list(r, what+"."+f.key)
		}
		seen := map[string]*yaml.Node{}
		for _, vn := range vals {
			vn2, s, ok := d.scalar(vn, what+"."+f.key, "a value")
			if !ok {
				continue
			}
			c, err := Canonical(f.key, s)
			if err != nil {
				d.errf(vn2, "%s.%s: %v", what, f.key, strings.TrimPrefix(err.Error(), f.key+": "))
				continue
			}
			if first, dup := seen[c]; dup {
				d.errf(vn2, "%s.%s: duplicate value %s (first at line %d)", what, f.key, c, first.Line)
				continue
			}
			seen[c] = vn2
			if _, ok := d.pos["value:"+f.key+"="+c]; !ok {
				d.pos["value:"+f.key+"="+c] = vn2
			}
			ax.Values = append(ax.Values, c)
		}
		if len(vals) == 0 {
			d.errf(f.keyPos, "%s.%s: the axis has no values", what, f.key)
		}
		out = append(out, ax)
	}
	return out
}

// targetAxes returns the axes of target t: the global axes with t's
// overrides, then axes only t has, and a default for every well-known axis
// still missing.
func (m *Matrix) targetAxes(t *Target) []Axis {
	out := make([]Axis, 0, len(m.Axes)+len(t.Axes))
	for _, a := range m.Axes {
		if o := findAxis(t.Axes, a.Name); o != nil {
			a = *o
		}
		out = append(out, a)
	}
	for _, a := range t.Axes {
		if findAxis(out, a.Name) == nil {
			out = append(out, a)
		}
	}
	for _, a := range DefaultAxes {
		if findAxis(out, a.Name) == nil {
			out = append(out, a)
		}
	}
	return out
}
