package judge

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// Real series recorded from a Go process churning garbage, with and
// without a 1 MiB/min leak (testdata/record.go, 3 minutes at 1 s).
func TestRecordedSeries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		want results.Verdict
	}{
		// garbage churn only: flat after warm-up
		{"steady.jsonl", results.GO},
		// the same plus 1 MiB/min retained
		{"leaky.jsonl", results.NOGO},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			samples, err := results.ReadSamples(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			cl := &results.Cell{ID: c.file, Target: strings.TrimSuffix(c.file, ".jsonl"), Kind: "workload",
				RAMLimit: 64 << 20, Duration: 180, Warmup: 18, Interval: 1, Outcome: results.Completed}
			v, rs, m := Cell(cl, samples, matrix.Judge{})
			for _, r := range rs {
				t.Logf("%s %s: %s", r.Criterion, r.Status, r.Message)
			}
			if v != c.want {
				t.Fatalf("verdict %s, want %s", v, c.want)
			}
			if m.Window.Samples < 150 {
				t.Errorf("only %v samples replayed", m.Window.Samples)
			}
		})
	}
}
