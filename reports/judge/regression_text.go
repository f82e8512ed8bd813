package judge

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/stats"
)

// ErrNoCommonCells is returned when two runs compared share no cell: a
// gate against the wrong baseline must not pass.
var ErrNoCommonCells = errors.New("the two runs share no cell")

// CommonCells returns ErrNoCommonCells, naming a few cells of each side,
// when old and new have no cell (target and axis values) in common.
func CommonCells(old, new []CellData) error {
	old, new = aligned(old, new)
	keys := func(ds []CellData) []string {
		seen := map[string]bool{}
		var out []string
		for _, d := range ds {
			if k := groupKey(d.Cell, ""); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	ko, kn := keys(old), keys(new)
	for _, k := range kn {
		for _, o := range ko {
			if k == o {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: the earlier run has %s; this run has %s", ErrNoCommonCells, some(ko), some(kn))
}

// some lists up to three keys and how many more.
func some(keys []string) string {
	switch {
	case len(keys) == 0:
		return "no finished cell"
	case len(keys) <= 3:
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:3], ", "), len(keys)-3)
}

// Label is a comparison's regression verdict in one word: "regressed"
// when a criterion failed, "too few repeats" when a measure could not be
// decided, "improved" when a measure improved, else "~".
func Label(c results.Comparison) string {
	for _, r := range c.Reasons {
		if r.Status == results.Fail {
			return LabelRegressed
		}
	}
	improved := false
	for _, r := range c.Rows {
		if !judgedMeasure[r.Measure] {
			continue
		}
		switch r.Label {
		case LabelFewRepeats:
			return LabelFewRepeats
		case LabelImproved:
			improved = true
		}
	}
	if improved {
		return LabelImproved
	}
	return LabelSame
}

// WriteRegressions writes the regressions of a run (newName) against an
// earlier one (oldName) as text: a header saying what the labels mean,
// then one block per matched cell with its regression label, both runs'
// own cell verdicts, each measure and the reasons that were not PASS, and a
// closing count. Values are formatted by value (bytes, units).
func WriteRegressions(w io.Writer, oldName, newName string, old, new []CellData, cmps []results.Comparison, rule RegressionRule, value func(v float64, unit string) string) {
	if rule.RelPct == 0 {
		rule.RelPct = DefaultRegressionRule.RelPct
	}
	if rule.Alpha == 0 {
		rule.Alpha = DefaultRegressionRule.Alpha
	}
	old, new = aligned(old, new)
	fmt.Fprintf(w, "soaklab compare: %s (this run) against %s (the earlier run)\n", newName, oldName)
	fmt.Fprintf(w, "Each label is a regression verdict of this run against the earlier one, not a verdict on\n")
	fmt.Fprintf(w, "the cells (their own verdicts are shown beside it):\n")
	fmt.Fprintf(w, "  regressed        worse by more than %s %% with Mann-Whitney p < %.2f, or cells that now fail\n", thr(rule.RelPct), rule.Alpha)
	fmt.Fprintf(w, "                   (oom-killed, crashed, leaking) where the earlier run's did not\n")
	fmt.Fprintf(w, "  improved         better by more than %s %% with p < %.2f\n", thr(rule.RelPct), rule.Alpha)
	fmt.Fprintf(w, "  ~                no difference detected\n")
	fmt.Fprintf(w, "  too few repeats  fewer than %d repeats a side: no p < %.2f is possible, nothing is decided\n\n", stats.MinCompareSamples, rule.Alpha)
	count := map[string]int{}
	for _, c := range cmps {
		l := Label(c)
		count[l]++
		fmt.Fprintf(w, "%-16s %s\n", l, c.Name)
		fmt.Fprintf(w, "    cells: earlier %s; this run %s\n", cellVerdicts(old, c.Name), cellVerdicts(new, c.Name))
		for _, r := range c.Rows {
			delta := r.Label
			if r.Label == LabelRegressed || r.Label == LabelImproved {
				delta = fmt.Sprintf("%s %+.1f %%", r.Label, r.DeltaPct)
			}
			if delta == "" {
				delta = "~"
			}
			fmt.Fprintf(w, "    %-12s %12s → %-12s %-18s (p=%.3f n=%d+%d)\n",
				r.Measure, value(r.A, r.Unit), value(r.B, r.Unit), delta, r.P, r.NA, r.NB)
		}
		for _, r := range c.Reasons {
			if r.Status != results.Pass {
				fmt.Fprintf(w, "    %s: %s\n", r.Status, r.Message)
			}
		}
	}
	fmt.Fprintf(w, "\n%d cells compared: %d regressed, %d improved, %d ~, %d too few repeats\n",
		len(cmps), count[LabelRegressed], count[LabelImproved], count[LabelSame], count[LabelFewRepeats])
}

// cellVerdicts summarises the own verdicts of the cells of ds in group
// key, e.g. "GO×5" or "NO-GO×1 (oom-killed×1)".
func cellVerdicts(ds []CellData, key string) string {
	verdicts, outcomes := map[string]int{}, map[string]int{}
	for _, d := range ds {
		if groupKey(d.Cell, "") != key {
			continue
		}
		v := string(d.Cell.Verdict)
		if v == "" {
			v = "unjudged"
		}
		verdicts[v]++
		if d.Cell.Outcome != results.Completed {
			outcomes[string(d.Cell.Outcome)]++
		}
	}
	out := counted(verdicts, []string{string(results.GO), string(results.NEUTRAL), string(results.NOGO), "unjudged"})
	if len(outcomes) > 0 {
		out += " (" + counted(outcomes, nil) + ")"
	}
	return out
}

// counted spells counts as "a×n, b×m", in order, then the rest sorted.
func counted(m map[string]int, order []string) string {
	var parts []string
	done := map[string]bool{}
	for _, k := range order {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
		}
		done[k] = true
	}
	var rest []string
	for k := range m {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
