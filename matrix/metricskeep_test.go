package matrix

import (
	"slices"
	"strings"
	"testing"
)

func TestMetricsKeep(t *testing.T) {
	t.Parallel()
	doc := func(target string) string {
		return "targets:\n  app:\n    build: ./app\n" + target + "axes:\n  rps: [10]\n  duration: [1m]\n  ram: [1GiB]\n"
	}
	cases := []struct {
		name, target string
		keep         []string
		max          int
		err          string
	}{
		{"kept", "    metrics: /metrics\n    metrics_keep: [leaky_leaked_bytes_total, labelstorm_labels]\n    metrics_max_series: 20\n",
			[]string{"leaky_leaked_bytes_total", "labelstorm_labels"}, 20, ""},
		{"default cap", "    metrics: /metrics\n    metrics_keep: [x]\n", []string{"x"}, 0, ""},
		{"not scraped", "    metrics_keep: [x]\n", nil, 0, "metrics_keep: needs metrics:"},
		{"bad name", "    metrics: /metrics\n    metrics_keep: [heap-bytes]\n", nil, 0, `"heap-bytes" is not a Prometheus metric family name`},
		{"zero cap", "    metrics: /metrics\n    metrics_max_series: 0\n", nil, 0, "must be at least 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse("m.yaml", []byte(doc(c.target)))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "m.yaml:") {
					t.Fatalf("error %v, want one at a position saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tg := m.Targets[0]; !slices.Equal(tg.MetricsKeep, c.keep) || tg.MetricsMaxSeries != c.max {
				t.Errorf("keep %v max %d, want %v %d", tg.MetricsKeep, tg.MetricsMaxSeries, c.keep, c.max)
			}
		})
	}
}
