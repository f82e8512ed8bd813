package matrix

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func ids(t *testing.T, yaml string) []string {
	t.Helper()
	m, err := Parse("m.yaml", []byte(yaml))
	require.NoError(t, err)
	cells, err := m.Expand()
	require.NoError(t, err)
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.ID
	}
	return out
}

// TestCellIDFormat pins the id format: target, every axis sorted by name,
// repeat suffix, and escaping that keeps ids splittable.
func TestCellIDFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target string
		axes   map[string]string
		repeat int
		want   string
	}{
		// axes sorted by name whatever the map order
		{"leaky", map[string]string{"tasks": "16", "rps": "500", "ram": "128MiB"}, 0, "leaky/ram=128MiB,rps=500,tasks=16"},
		// repeat suffix
		{"a", map[string]string{"rps": "1"}, 2, "a/rps=1#2"},
		// '=' and '/' stay readable; ',', '#', '%' and spaces are escaped
		{"a", map[string]string{"env.GODEBUG": "x=1,y=2", "v": "a b#c%/d"}, 0, "a/env.GODEBUG=x=1%2Cy=2,v=a%20b%23c%25/d"},
		// no axes
		{"a", nil, 0, "a/"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, CellID(tt.target, tt.axes, tt.repeat))
	}
}

// TestCellIDStable: ids of existing cells do not change when values,
// targets or entries are added, nor when the file is reordered.
func TestCellIDStable(t *testing.T) {
	t.Parallel()
	before := ids(t, `
targets: {a: {build: ./a}}
axes: {rps: [100], ram: [64MiB]}
`)
	after := ids(t, `
targets:
  z: {build: ./z}
  a: {build: ./a}
axes:
  ram: [1GiB, 65536KiB]   # same value spelled differently, new value first
  rps: [50, 1e2]
  percentiles: [hdr]      # the default, made explicit
exclude:
  - {target: z}
`)
	require.Len(t, before, 1)
	require.Contains(t, after, before[0])
	require.Equal(t, "a/duration=1m,percentiles=hdr,ram=64MiB,rps=100,tasks=16", before[0])
}

// TestExpandDeterministic: expanding twice gives the same cells in the
// same order, and ids are unique.
func TestExpandDeterministic(t *testing.T) {
	t.Parallel()
	m, err := Load("testdata/expand/full.yaml")
	require.NoError(t, err)
	a, err := m.Expand()
	require.NoError(t, err)
	b, err := m.Expand()
	require.NoError(t, err)
	require.Equal(t, a, b)
	seen := map[string]bool{}
	for _, c := range a {
		require.False(t, seen[c.ID], "duplicate id %s", c.ID)
		seen[c.ID] = true
	}
}

// TestPairs finds the A/B pairs of the full matrix's comparison.
func TestPairs(t *testing.T) {
	t.Parallel()
	m, err := Load("testdata/expand/full.yaml")
	require.NoError(t, err)
	cells, err := m.Expand()
	require.NoError(t, err)
	pairs := Pairs(cells, m.Compare[0])
	require.Len(t, pairs, 8, "stairstep: 2 rps x 2 ram x 2 GOGC")
	for _, p := range pairs {
		require.Equal(t, "stairstep", p[0].Target)
		require.Equal(t, "naive", p[0].Axes["variant"])
		require.Equal(t, "pooled", p[1].Axes["variant"])
		for k, v := range p[0].Axes {
			if k != "variant" {
				require.Equal(t, v, p[1].Axes[k])
			}
		}
	}
}

// TestMaxCells: a runaway product is refused, not expanded.
func TestMaxCells(t *testing.T) {
	t.Parallel()
	_, err := Parse("m.yaml", []byte(`
targets: {a: {build: ./a}}
axes:
  a: [1,2,3,4,5,6,7,8,9,10]
  b: [1,2,3,4,5,6,7,8,9,10]
  c: [1,2,3,4,5,6,7,8,9,10]
  d: [1,2,3,4,5,6,7,8,9,10]
  e: [1,2,3,4,5,6,7,8,9,10]
  f: [1,2]
`))
	require.ErrorContains(t, err, "more than 100000 cells")
}

// TestResolve: paths in a matrix are relative to its directory and stay
// usable as Go package paths.
func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct{ matrix, in, want string }{
		{"matrix.yaml", "./targets/steady", "./targets/steady"},      // beside the working directory
		{"ci/nightly.yaml", "../targets/steady", "./targets/steady"}, // from a subdirectory
		{"ci/nightly.yaml", "big.json", "./ci/big.json"},             // plain file
		{"/etc/m.yaml", "x", "/etc/x"},                               // absolute matrix
		{"m.yaml", "/abs/x", "/abs/x"},                               // absolute path kept
		{"a/m.yaml", "../../x", "../x"},                              // above the working directory
	}
	for _, tt := range tests {
		m := &Matrix{Path: tt.matrix}
		require.Equal(t, tt.want, m.Resolve(tt.in), "%s in %s", tt.in, tt.matrix)
	}
}
