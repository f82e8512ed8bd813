package view

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Grid is the works/OOM grid of one target: a row per combination of its
// other axes' values (Axes, Rows[i].Values), a column per RAM limit.
type Grid struct {
	Target string
	RAMs   []int64  // the columns, ascending
	Axes   []string // the axes that vary between rows: tasks, rps, then the others by name
	Common string   // the axes every row shares, "percentiles=hdr"; "" if none
	Rows   []GridRow
	// HorizonS is the horizon the cells were judged against (the longest
	// when they differ); 0 when none was.
	HorizonS float64
}

// GridRow is one line of a Grid: Entries[i] is the configuration at
// RAMs[i], nil when no cell ran it.
type GridRow struct {
	Values  []string
	Entries []*GridEntry
}

// gridAxes are the axes that are not a row of the grid: the columns (ram)
// and the length of a cell (duration), which the projection answers for.
var gridAxes = map[string]bool{"ram": true, "duration": true}

// Grids builds the works/OOM grid of every target, in the order targets
// first appear. Each cell is classified (ClassifyCell) and the cells of one
// configuration — the same target, RAM limit and other axis values,
// whatever their repeat or duration — are aggregated to their worst.
func Grids(cells []results.Cell) []Grid {
	type tgt struct {
		g       Grid
		entries map[string]*GridEntry // by ram and row key
		rows    map[string][]string   // row key → axis values
		axes    map[string]map[string]bool
		order   []string
	}
	byTarget := map[string]*tgt{}
	var targets []string
	for i := range cells {
		c := &cells[i]
		t := byTarget[c.Target]
		if t == nil {
			t = &tgt{g: Grid{Target: c.Target}, entries: map[string]*GridEntry{}, rows: map[string][]string{}, axes: map[string]map[string]bool{}}
			byTarget[c.Target] = t
			targets = append(targets, c.Target)
		}
		for k, v := range c.Axes {
			if gridAxes[k] {
				continue
			}
			if t.axes[k] == nil {
				t.axes[k] = map[string]bool{}
			}
			t.axes[k][v] = true
		}
	}
	for _, name := range targets {
		t := byTarget[name]
		var common []string
		for _, k := range rowAxisOrder(t.axes) {
			if len(t.axes[k]) > 1 {
				t.g.Axes = append(t.g.Axes, k)
			} else {
				for v := range t.axes[k] {
					common = append(common, k+"="+v)
				}
			}
		}
		t.g.Common = strings.Join(common, ",")
	}
	rams := map[string]map[int64]bool{}
	for i := range cells {
		c := &cells[i]
		t := byTarget[c.Target]
		vals := make([]string, len(t.g.Axes))
		for j, k := range t.g.Axes {
			vals[j] = c.Axes[k]
		}
		row := strings.Join(vals, "\x00")
		if _, ok := t.rows[row]; !ok {
			t.rows[row] = vals
			t.order = append(t.order, row)
		}
		if rams[c.Target] == nil {
			rams[c.Target] = map[int64]bool{}
		}
		rams[c.Target][c.RAMLimit] = true
		key := strconv.FormatInt(c.RAMLimit, 10) + "\x00" + row
		e := ClassifyCell(c)
		if prev := t.entries[key]; prev != nil {
			e = worse(prev, e)
		}
		t.entries[key] = e
		t.g.HorizonS = math.Max(t.g.HorizonS, e.HorizonS)
	}
	var out []Grid
	for _, name := range targets {
		t := byTarget[name]
		for r := range rams[name] {
			t.g.RAMs = append(t.g.RAMs, r)
		}
		sort.Slice(t.g.RAMs, func(i, j int) bool { return t.g.RAMs[i] < t.g.RAMs[j] })
		sort.SliceStable(t.order, func(i, j int) bool { return lessValues(t.rows[t.order[i]], t.rows[t.order[j]]) })
		for _, row := range t.order {
			gr := GridRow{Values: t.rows[row]}
			for _, ram := range t.g.RAMs {
				e := t.entries[strconv.FormatInt(ram, 10)+"\x00"+row]
				if e != nil && e.State == OOM && e.HorizonS == 0 {
					e.HorizonS = t.g.HorizonS // killed: it lasts no horizon
				}
				gr.Entries = append(gr.Entries, e)
			}
			t.g.Rows = append(t.g.Rows, gr)
		}
		out = append(out, t.g)
	}
	return out
}

// rowAxisOrder puts tasks and rps first, then the other axes by name.
func rowAxisOrder(axes map[string]map[string]bool) []string {
	var out []string
	for _, k := range []string{"tasks", "rps"} {
		if _, ok := axes[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range SortedKeys(axes) {
		if k != "tasks" && k != "rps" {
			out = append(out, k)
		}
	}
	return out
}

// lessValues orders rows axis by axis: numbers by value, before words.
func lessValues(a, b []string) bool {
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		x, errX := strconv.ParseFloat(a[i], 64)
		y, errY := strconv.ParseFloat(b[i], 64)
		switch {
		case errX == nil && errY == nil:
			return x < y
		case errX == nil:
			return true
		case errY == nil:
			return false
		}
		return a[i] < b[i]
	}
	return false
}

// worse merges two entries of one configuration: the worse of the two
// (worse state, then worse survival, then the earlier limit), with the
// counts of both.
func worse(a, b *GridEntry) *GridEntry {
	w, o := a, b
	switch {
	case b.State != a.State:
		if b.State > a.State {
			w, o = b, a
		}
	case b.Survives != a.Survives:
		if b.Survives > a.Survives {
			w, o = b, a
		}
	case b.AtS > 0 && (a.AtS == 0 || b.AtS < a.AtS):
		w, o = b, a
	}
	m := *w
	for i := range m.Counts {
		m.Counts[i] += o.Counts[i]
	}
	m.Runs += o.Runs
	m.IDs = append(a.IDs, b.IDs...) // a is the entry merged so far: its list is ours
	m.HorizonS = math.Max(a.HorizonS, b.HorizonS)
	return &m
}
