package render_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/render"
)

// hostile is what a target controls: its log (crash details), its metric
// names and labels, its profile's symbol names, its request labels' text.
const hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\x1b]0;pwned\x07\x1b[2J\u202e"

// TestHostileTarget renders a run whose every target-written text is
// hostile and checks that no markup or control sequence reaches the HTML
// report, junit.xml or summary.md unescaped.
func TestHostileTarget(t *testing.T) {
	t.Parallel()
	dir := copyRun(t, fixtureDir)
	run, err := results.ReadRun(dir)
	require.NoError(t, err)
	for i := range run.Cells {
		c := &run.Cells[i]
		c.Outcome, c.Verdict, c.Detail = results.Crashed, results.NOGO, "exit 2: "+hostile
		c.Reasons = append(c.Reasons, results.Reason{Criterion: "crash", Status: results.Fail, Hard: true, Message: "target crashed: " + hostile})
		c.Warnings = append(c.Warnings, "scrape: "+hostile)
		c.GrowthSites = []results.GrowthSite{{Function: "main.(*T)." + hostile, File: hostile + ".go", Line: 1, Before: 1, After: 1 << 20, Delta: 1<<20 - 1}}
		c.HeapProfiles = &results.HeapProfiles{FirstS: 1, LastS: 2, Last: "memory at 90 % of the limit", Taken: 2}
		if c.Load != nil {
			c.Load.Warnings = append(c.Load.Warnings, hostile)
			c.Load.ErrorsByKind = map[string]int64{hostile: 3}
			for j := range c.Load.Labels {
				c.Load.Labels[j].Label = hostile
			}
		}
		// A metric name and label from the target's /metrics in the samples.
		p := filepath.Join(dir, results.CellsDir, c.Dir, results.SamplesFile)
		samples, err := results.ReadSamples(p)
		require.NoError(t, err)
		f, err := os.Create(p)
		require.NoError(t, err)
		w := bufio.NewWriter(f)
		for _, s := range samples {
			if s.Metrics == nil {
				s.Metrics = map[string]float64{}
			}
			s.Metrics[`evil{label="`+hostile+`"}`] = 1
			b, err := json.Marshal(s)
			require.NoError(t, err)
			w.Write(append(b, '\n'))
		}
		require.NoError(t, w.Flush())
		require.NoError(t, f.Close())
	}
	require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), run))

	out, err := render.Run(dir, render.Now(genTime))
	require.NoError(t, err)
	for _, p := range []string{out.Report, out.JUnit, out.Summary} {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		s := string(data)
		for _, raw := range []string{"<script>alert", "<img src=x", "onerror=alert(2)>", "\x1b", "\x07", "\u202e"} {
			if i := strings.Index(s, raw); i >= 0 {
				t.Errorf("%s holds %q unescaped: %q", filepath.Base(p), raw, s[max(0, i-80):min(len(s), i+40)])
			}
		}
		require.Contains(t, s, "alert(1)", "%s still shows the text, escaped", filepath.Base(p))
	}
}
