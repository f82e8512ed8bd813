package summary_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/summary"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	goCell := results.Cell{ID: "a/ram=1GiB", Verdict: results.GO, Outcome: results.Completed}
	bad := results.Cell{ID: "b/ram=1GiB", Verdict: results.NOGO, Outcome: results.OOMKilled, Reasons: []results.Reason{
		{Criterion: "oom", Status: results.Fail, Hard: true, Message: "killed | at limit"},
	}}
	for _, tc := range []struct {
		name   string
		cells  []results.Cell
		link   string
		want   []string
		absent []string
	}{
		// all GO: a green head and no table
		{"all go", []results.Cell{goCell}, "", []string{"## ✅", "Every cell is GO."}, []string{"| verdict |", "Full report"}},
		// a NO-GO: red head, its row with the reason, pipes escaped for the table
		{"no-go", []results.Cell{goCell, bad}, "report/index.html",
			[]string{"## ❌", "| NO-GO | `b/ram=1GiB` | oom-killed |", `killed \| at limit`, "Full report: [report/index.html](report/index.html)"},
			[]string{"`a/ram=1GiB`"}},
		// a cell not judged yet makes the head a warning
		{"pending", []results.Cell{{ID: "c"}}, "", []string{"## ⚠️", "PENDING 1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, summary.Write(&b, &results.Run{ID: "r1", Cells: tc.cells}, tc.link))
			for _, w := range tc.want {
				require.Contains(t, b.String(), w)
			}
			for _, a := range tc.absent {
				require.False(t, strings.Contains(b.String(), a), "unexpected %q in\n%s", a, b.String())
			}
		})
	}
}

// hostile is text a target controls: a log line, a crash detail, a profile
// symbol name, a metric label.
const hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\x1b]0;pwned\x07\x1b[2J[click](javascript:x) `code` | @team"

// TestWriteEscapesTargetText: nothing a target wrote reaches the summary as
// markup, a link, a mention or a control sequence.
func TestWriteEscapesTargetText(t *testing.T) {
	t.Parallel()
	run := &results.Run{ID: "r`1|<b>", Host: results.Host{Hostname: "h<i>"}, Cells: []results.Cell{{
		ID: "t/x=<u>`|", Verdict: results.NOGO, Outcome: results.Crashed, Detail: hostile,
		Reasons: []results.Reason{{Criterion: "crash", Status: results.Fail, Hard: true, Message: hostile}},
	}}, Comparisons: []results.Comparison{{Name: "c" + hostile, Baseline: hostile, Candidate: hostile, Verdict: results.NOGO,
		Rows:    []results.CompareRow{{Measure: hostile, Unit: hostile}},
		Reasons: []results.Reason{{Criterion: "x", Status: results.Fail, Message: hostile}}}}}
	var b bytes.Buffer
	require.NoError(t, summary.Write(&b, run, "report/index.html"))
	out := b.String()
	for _, raw := range []string{"<script", "<img", "<u>", "<b>", "<i>", "\x1b", "\x07", "[click](javascript", "@team"} {
		require.NotContains(t, out, raw)
	}
	require.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;")
	require.Contains(t, out, `\\x1b\]0;pwned\\a`, "escape sequences shown as text")
	require.Contains(t, out, "| t/x=&lt;u&gt;\\`\\| |", "an id with markup as escaped text")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| NO-GO |") {
			require.Equal(t, 6, strings.Count(line, "|")-strings.Count(line, `\|`), "the row keeps its five columns: %s", line)
		}
	}
}

// TestWriteBounded: a run of 100,000 NO-GO cells with long reasons gives a
// summary under MaxBytes that lists the first MaxCells, NO-GO first, and
// counts the rest.
func TestWriteBounded(t *testing.T) {
	t.Parallel()
	cells := make([]results.Cell, 100000)
	long := strings.Repeat("symbol.(*T).method ", 500)
	for i := range cells {
		cells[i] = results.Cell{ID: fmt.Sprintf("t/i=%06d", i), Verdict: results.NEUTRAL, Outcome: results.Completed,
			Reasons: []results.Reason{{Criterion: "cv", Status: results.Fail, Message: long}}}
	}
	cells[99999].Verdict = results.NOGO
	var b bytes.Buffer
	require.NoError(t, summary.Write(&b, &results.Run{ID: "big", Cells: cells}, "report/index.html"))
	require.Less(t, b.Len(), summary.MaxBytes)
	out := b.String()
	require.Contains(t, out, "NO-GO 1")
	require.Less(t, strings.Index(out, "t/i=099999"), strings.Index(out, "t/i=000000"), "NO-GO first")
	require.Contains(t, out, fmt.Sprintf("and %d more cells not GO", 100000-summary.MaxCells))
	require.True(t, strings.HasSuffix(out, "Full report: [report/index.html](report/index.html)\n"))
}
