package ci

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/soaklab/soaklab/matrix"
)

// matrixDoc is the part of a matrix file these checks read. Full
// validation (types, units, unknown keys) is the matrix package's job; here
// we check that the CI matrices hang together.
type matrixDoc struct {
	Name    string `yaml:"name"`
	Repeats int    `yaml:"repeats"`
	Targets map[string]struct {
		Kind       string              `yaml:"kind"`
		Build      string              `yaml:"build"`
		Env        map[string]string   `yaml:"env"`
		Axes       map[string][]string `yaml:"axes"`
		Throughput string              `yaml:"throughput"`
		SinkEnv    string              `yaml:"sink_env"`
	} `yaml:"targets"`
	Axes    map[string][]string `yaml:"axes"`
	Exclude []map[string]string `yaml:"exclude"`
	Compare []struct {
		Name      string   `yaml:"name"`
		Axis      string   `yaml:"axis"`
		Baseline  string   `yaml:"baseline"`
		Candidate string   `yaml:"candidate"`
		Targets   []string `yaml:"targets"`
	} `yaml:"compare"`
}

var templateRef = regexp.MustCompile(`\.([a-z_][a-z0-9_]*)`)

func TestMatricesHangTogether(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file    string
		targets []string // targets it must exercise
		repeats int
	}{
		// every sample target, three repeats for the A/B comparisons
		{"nightly.yaml", []string{"steady", "leaky", "hog", "stairstep", "labelstorm", "churn"}, 3},
		// issue 7's acceptance: five repeats
		{"verdicts.yaml", []string{"steady", "leaky", "hog", "stairstep"}, 5},
		// the self-soak: steady only
		{"soak-self.yaml", []string{"steady"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(tc.file)
			require.NoError(t, err)
			var m matrixDoc
			require.NoError(t, yaml.Unmarshal(data, &m))
			require.Equal(t, tc.repeats, m.Repeats)
			for _, name := range tc.targets {
				tg, ok := m.Targets[name]
				require.True(t, ok, "target %s missing", name)
				require.Equal(t, "../targets/"+name, tg.Build, "build paths are relative to the matrix file")
				for k, v := range tg.Env {
					for _, ref := range templateRef.FindAllStringSubmatch(v, -1) {
						_, top := m.Axes[ref[1]]
						_, own := tg.Axes[ref[1]]
						require.True(t, top || own, "%s env %s refers to axis %q, which is not defined", name, k, ref[1])
					}
				}
			}
			for i, ex := range m.Exclude {
				for k, v := range ex {
					if k == "target" {
						require.Contains(t, m.Targets, v, "exclude %d", i)
						continue
					}
					require.Contains(t, m.Axes[k], v, "exclude %d: %s=%s matches no axis value", i, k, v)
				}
			}
			for _, c := range m.Compare {
				for _, tg := range c.Targets {
					require.Contains(t, m.Targets, tg, c.Name)
					// the compared values come from the target's own axis or the global one
					values := m.Axes[c.Axis]
					if own, ok := m.Targets[tg].Axes[c.Axis]; ok {
						values = own
					}
					require.Contains(t, values, c.Baseline, c.Name)
					require.Contains(t, values, c.Candidate, c.Name)
					// the pair must survive the excludes
					for _, v := range []string{c.Baseline, c.Candidate} {
						require.False(t, slices.ContainsFunc(m.Exclude, func(ex map[string]string) bool {
							return len(ex) == 2 && ex["target"] == tg && ex[c.Axis] == v
						}), "%s: %s=%s is excluded for %s", c.Name, c.Axis, v, tg)
					}
				}
			}
		})
	}
}

func TestNightlyTargetKinds(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("nightly.yaml")
	require.NoError(t, err)
	var m matrixDoc
	require.NoError(t, yaml.Unmarshal(data, &m))
	ls, churn := m.Targets["labelstorm"], m.Targets["churn"]
	// labelstorm generates its own load against soaklab's sink
	require.Equal(t, "client", ls.Kind)
	require.Equal(t, "SINK_URL", ls.SinkEnv)
	for _, k := range []string{"TARGET_RPS", "TARGET_TASKS", "TARGET_DURATION", "TRACK", "MAX_LABELS"} {
		require.Contains(t, ls.Env, k)
	}
	// churn drives itself; throughput comes from its counter
	require.Equal(t, "workload", churn.Kind)
	require.Equal(t, "churn_ops_total", churn.Throughput)
	require.Contains(t, churn.Env, "LEAN")
	require.Equal(t, []string{"0", "100"}, m.Axes["max_labels"], fmt.Sprint(m.Axes))
	require.Equal(t, []string{"fast", "lean"}, m.Axes["mode"])
}

// The matrices of `make verdicts` beyond ci/verdicts.yaml: every labelled
// class has its target, and the false-alarm matrix has at least 30
// three-minute cells of steady servers.
func TestVerdictMatrices(t *testing.T) {
	t.Parallel()
	cells := func(file string) map[string][]matrix.Cell {
		m, err := matrix.Load(file)
		require.NoError(t, err)
		cs, err := m.Expand()
		require.NoError(t, err)
		by := map[string][]matrix.Cell{}
		for _, c := range cs {
			by[c.Target] = append(by[c.Target], c)
		}
		return by
	}
	mem := cells("verdicts-memory.yaml")
	for _, name := range []string{"shmleak", "sockleak", "pipeleak", "pagecache", "wrapped", "smoke"} {
		require.NotEmpty(t, mem[name], "target %s", name)
	}
	for _, c := range mem["smoke"] {
		require.LessOrEqual(t, c.Duration, 25*time.Second, "smoke cells are 20-25 s")
	}
	fa := cells("false-alarms.yaml")
	n := 0
	for _, name := range []string{"steady", "pyserver", "static"} {
		require.GreaterOrEqual(t, len(fa[name]), 10, "%s runs at least 10 times", name)
		for _, c := range fa[name] {
			require.Equal(t, 3*time.Minute, c.Duration)
		}
		n += len(fa[name])
	}
	require.GreaterOrEqual(t, n, 30)
}
