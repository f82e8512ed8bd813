package matrix

import "slices"

// DriverAxes are the axes only soaklab's load driver reads: the requests in
// flight and the rate it sends to a server target.
var DriverAxes = []string{AxisTasks, AxisRPS}

// UnusedAxes lists the driver axes that mean nothing to target t: for a
// client or workload target, which makes its own load, those of
// DriverAxes its env and command templates do not read ({{.rps}},
// {{.tasks}}). Its cells neither carry them in their ids nor are
// multiplied by their values. A server target uses them all. With
// KeepUnusedAxes set, none is unused (how soaklab expanded before).
func (m *Matrix) UnusedAxes(t *Target) []string {
	if t.Kind == KindServer || t.Kind == "" || m.KeepUnusedAxes {
		return nil
	}
	var out []string
	for _, a := range DriverAxes {
		if !t.Uses(a) {
			out = append(out, a)
		}
	}
	return out
}

// cellAxes are the axes target t's cells are made of: its axes
// (targetAxes) without the ones it does not use (UnusedAxes).
func (m *Matrix) cellAxes(t *Target) []Axis {
	all := m.targetAxes(t)
	unused := m.UnusedAxes(t)
	if len(unused) == 0 {
		return all
	}
	out := make([]Axis, 0, len(all))
	for _, a := range all {
		if !slices.Contains(unused, a.Name) {
			out = append(out, a)
		}
	}
	return out
}

// without returns e less the keys in drop (e itself when none is in it).
func without(e map[string]string, drop []string) map[string]string {
	hit := false
	for _, k := range drop {
		if _, ok := e[k]; ok {
			hit = true
		}
	}
	if !hit {
		return e
	}
	out := make(map[string]string, len(e))
	for k, v := range e {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}
