package summary_test

import (
	"bytes"
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
