package matrix

import (
	"strings"
	"testing"
)

func TestThresholds(t *testing.T) {
	t.Parallel()
	doc := func(metrics, th string) string {
		return "targets:\n  app:\n    build: ./app\n" + metrics + "    thresholds:\n" + th + "axes:\n  rps: [10]\n  duration: [1m]\n  ram: [1GiB]\n"
	}
	const scraped = "    metrics: /metrics\n"
	cases := []struct {
		name, metrics, th string
		want              []Threshold
		err               string
	}{
		{"heap over 1GiB", scraped, "      - {series: go_memstats_heap_alloc_bytes, above: 1GiB, hysteresis: 10%}\n",
			[]Threshold{{Series: "go_memstats_heap_alloc_bytes", Above: 1 << 30, Hysteresis: 0.1}}, ""},
		{"count, default hysteresis", scraped, "      - {series: go_goroutines, above: 500}\n",
			[]Threshold{{Series: "go_goroutines", Above: 500, Hysteresis: DefaultHysteresis}}, ""},
		{"built-in, share", "", "      - {series: anon, above: 300MiB, hysteresis: 0.05}\n",
			[]Threshold{{Series: "anon", Above: 300 << 20, Hysteresis: 0.05}}, ""},
		{"not scraped", "", "      - {series: go_goroutines, above: 500}\n", nil, "needs metrics:"},
		{"bad name", scraped, "      - {series: heap-alloc, above: 1GiB}\n", nil, "neither rss, anon"},
		{"no level", scraped, "      - {series: go_goroutines}\n", nil, "needs above:"},
		{"zero", scraped, "      - {series: go_goroutines, above: 0}\n", nil, "greater than 0"},
		{"bad size", scraped, "      - {series: rss, above: 1GiBs}\n", nil, "expected a size"},
		{"hysteresis 100%", scraped, "      - {series: rss, above: 1GiB, hysteresis: 100%}\n", nil, "share from 0 to under 1"},
		{"unknown key", scraped, "      - {series: rss, above: 1GiB, below: 2}\n", nil, "below"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse("m.yaml", []byte(doc(c.metrics, c.th)))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "m.yaml:") {
					t.Fatalf("error %v, want one at a position saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := m.Targets[0].Thresholds
			if len(got) != len(c.want) || got[0] != c.want[0] {
				t.Errorf("thresholds %+v, want %+v", got, c.want)
			}
		})
	}
}
