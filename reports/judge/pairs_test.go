package judge

import (
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

func TestPairs(t *testing.T) {
	t.Parallel()
	mk := func(target, variant, ram string, repeat int) results.Cell {
		return results.Cell{ID: target + "/" + variant + "/" + ram, Target: target, Repeat: repeat,
			Axes: map[string]string{"variant": variant, "ram": ram}}
	}
	cells := []results.Cell{
		mk("svc", "fast", "128MiB", 2), mk("svc", "fast", "128MiB", 1), mk("svc", "lean", "128MiB", 1),
		mk("svc", "lean", "128MiB", 2), mk("svc", "fast", "256MiB", 1), mk("svc", "lean", "256MiB", 1),
		mk("svc", "other", "128MiB", 1), // neither side
		mk("cli", "fast", "128MiB", 1), mk("cli", "lean", "128MiB", 1),
		mk("svc", "fast", "512MiB", 1), // no candidate: left out
	}
	cases := []struct {
		name string
		cmp  matrix.Compare
		keys []string
		n    [][2]int // repeats of A and B, per pair
	}{
		// every target with the axis, grouped by the other axes
		{"all targets", matrix.Compare{Axis: "variant", Baseline: "fast", Candidate: "lean"},
			[]string{"cli/ram=128MiB", "svc/ram=128MiB", "svc/ram=256MiB"}, [][2]int{{1, 1}, {2, 2}, {1, 1}}},
		// restricted to one target
		{"one target", matrix.Compare{Axis: "variant", Baseline: "fast", Candidate: "lean", Targets: []string{"svc"}},
			[]string{"svc/ram=128MiB", "svc/ram=256MiB"}, [][2]int{{2, 2}, {1, 1}}},
		// comparing along ram instead: variant becomes part of the key
		{"ram axis", matrix.Compare{Axis: "ram", Baseline: "128MiB", Candidate: "256MiB"},
			[]string{"svc/variant=fast", "svc/variant=lean"}, [][2]int{{2, 1}, {2, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ps := Pairs(&matrix.Matrix{Compare: []matrix.Compare{c.cmp}}, cells)
			if len(ps) != len(c.keys) {
				t.Fatalf("%d pairs, want %d: %+v", len(ps), len(c.keys), ps)
			}
			for i, p := range ps {
				if p.Key != c.keys[i] || len(p.A) != c.n[i][0] || len(p.B) != c.n[i][1] {
					t.Errorf("pair %d: %s %d+%d, want %s %v", i, p.Key, len(p.A), len(p.B), c.keys[i], c.n[i])
				}
				for _, a := range p.A {
					if a.Axes[c.cmp.Axis] != c.cmp.Baseline {
						t.Errorf("A side holds %v", a.Axes)
					}
				}
				if len(p.A) == 2 && p.A[0].Repeat != 1 {
					t.Errorf("repeats not in order")
				}
			}
		})
	}
	if Pairs(nil, cells) != nil {
		t.Errorf("nil matrix gave pairs")
	}
}
