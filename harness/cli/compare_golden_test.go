package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// side describes the cells of one run written for a compare test.
type side struct {
	target  string
	repeats int
	base    float64 // MiB
	p99     float64 // ms
	seed    uint64
	verdict results.Verdict
}

// writeRun writes a judged run of s's repeats, 3 minutes of samples each.
func writeRun(t *testing.T, dir string, s side) string {
	t.Helper()
	run := results.Run{Schema: results.SchemaVersion, ID: filepath.Base(dir), Matrix: "matrix.yaml",
		MatrixYAML: "name: cmp\ntargets:\n  " + s.target + ": {command: [./x]}\n", Status: "finished",
		Started: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)}
	for i := 1; i <= s.repeats; i++ {
		id := fmt.Sprintf("%s/ram=256MiB,rps=20_%d", s.target, i)
		c := results.Cell{Schema: results.SchemaVersion, ID: id, Dir: results.CellDir(id), Target: s.target, Kind: "server",
			Axes: map[string]string{"ram": "256MiB", "rps": "20"}, Repeat: i, RAMLimit: 256 << 20, Duration: 180,
			Warmup: 18, Interval: 1, Backend: "process", Enforcement: "cgroup-v1", Outcome: results.Completed,
			Verdict: s.verdict, Started: run.Started, Ended: run.Started.Add(3 * time.Minute)}
		spec := synth.Spec{Duration: 180, Seed: s.seed*100 + uint64(i), Base: s.base * synth.MiB * (1 + 0.005*float64(i%3)),
			Noise: 0.002 * s.base * synth.MiB, RPS: 20, RPSNoise: 0.01, P99: s.p99 * (1 + 0.01*float64(i%3)), WorkingSet: true}
		c.Load = &results.Load{Mode: "hdr", TargetRPS: 20, AchievedRPS: 20, Duration: 180,
			Corrected: &results.Latency{P99: spec.P99}}
		cdir := filepath.Join(dir, results.CellsDir, c.Dir)
		require.NoError(t, os.MkdirAll(cdir, 0o755))
		w, err := results.CreateSamples(filepath.Join(cdir, results.SamplesFile))
		require.NoError(t, err)
		for _, smp := range spec.Samples() {
			require.NoError(t, w.Write(&smp))
		}
		require.NoError(t, w.Close())
		c.Samples = 180
		require.NoError(t, results.WriteJSON(filepath.Join(cdir, "result.json"), &c))
		run.Cells = append(run.Cells, c)
	}
	require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), &run))
	return dir
}

// TestCompareGolden: what `soaklab compare` prints and exits with for
// identical runs, a real regression with repeats, one run a side, and two
// runs that share no cell.
func TestCompareGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new side
		same     bool // compare the old run with itself
		code     int
	}{
		// the same run twice: every row ~, exit 0
		{"identical", side{"steady", 6, 40, 12, 1, results.GO}, side{}, true, ExitOK},
		// peak memory +30 % on six repeats a side: regressed, exit 1
		{"regression", side{"steady", 6, 40, 12, 2, results.GO}, side{"steady", 6, 52, 12, 3, results.GO}, false, ExitNoGo},
		// one run a side, p99 +63 % and peak +20 %: too few repeats, nothing FAILs, exit 0
		{"n1", side{"steady", 1, 40, 12, 4, results.GO}, side{"steady", 1, 48, 19.6, 5, results.GO}, false, ExitOK},
		// no cell in common: exit 2, saying what each run holds
		{"disjoint", side{"steady", 2, 40, 12, 6, results.GO}, side{"pyserver", 2, 40, 12, 7, results.GO}, false, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			oldDir := writeRun(t, filepath.Join(dir, "old"), tt.old)
			newDir := oldDir
			if !tt.same {
				newDir = writeRun(t, filepath.Join(dir, "new"), tt.new)
			}
			env, out, errw := testEnv()
			code := Main(context.Background(), []string{"compare", oldDir, newDir}, env)
			text := strings.NewReplacer(oldDir, "OLD", newDir, "NEW").Replace(out.String() + "--- stderr\n" + errw.String())
			golden(t, "compare-"+tt.name+".golden", text)
			require.Equal(t, tt.code, code, text)
		})
	}
}
