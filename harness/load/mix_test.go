package load

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMixProportions(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("http://127.0.0.1:1")
	tests := []struct {
		name    string
		reqs    []Request
		n       int64
		want    map[string]int
		labels  []string
		warning bool
	}{
		{
			// 3:1 weights over 400 requests => exactly 300 and 100
			name: "weighted", n: 400,
			reqs:   []Request{{Label: "a", Weight: 3}, {Label: "b", Path: "/b"}},
			want:   map[string]int{"a": 300, "b": 100},
			labels: []string{"a", "b"},
		},
		{
			// two kinds sharing a label count as one label
			name: "shared label", n: 10,
			reqs:   []Request{{Label: "x", Path: "/1"}, {Label: "x", Path: "/2"}},
			want:   map[string]int{"x": 10},
			labels: []string{"x"},
		},
		{
			// labels past the cap of 2 fold into the overflow label, with a warning
			name: "cap", n: 40,
			reqs:    []Request{{Label: "a"}, {Label: "b"}, {Label: "c"}, {Label: "d"}},
			want:    map[string]int{"a": 10, "b": 10, OverflowLabel: 20},
			labels:  []string{"a", "b", OverflowLabel},
			warning: true,
		},
		{
			// empty labels default to the path
			name: "default label", n: 4,
			reqs:   []Request{{Path: "/p"}},
			want:   map[string]int{"/p": 4},
			labels: []string{"/p"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			maxLabels := 2
			if !tt.warning {
				maxLabels = 100
			}
			m, warning, err := newMix(base, tt.reqs, maxLabels)
			require.NoError(t, err)
			assert.Equal(t, tt.labels, m.labels)
			assert.Equal(t, tt.warning, warning != "", warning)
			got := map[string]int{}
			for seq := range tt.n {
				got[m.labels[m.pick(seq).label]]++
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMixInterleaves(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("http://127.0.0.1:1")
	m, _, err := newMix(base, []Request{{Label: "a"}, {Label: "b"}, {Label: "c"}}, 10)
	require.NoError(t, err)
	// within each block of 3 consecutive requests every kind appears once
	for blk := range int64(10) {
		seen := map[int]bool{}
		for i := range int64(3) {
			seen[m.pick(blk*3+i).label] = true
		}
		assert.Len(t, seen, 3)
	}
}
