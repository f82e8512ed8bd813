package matrix

import (
	"strings"
	"testing"
	"time"
)

func TestProfileEvery(t *testing.T) {
	t.Parallel()
	doc := func(target string) string {
		return "targets:\n  app:\n    build: ./app\n" + target + "axes:\n  rps: [10]\n  duration: [1m]\n  ram: [1GiB]\n"
	}
	cases := []struct {
		name, target string
		every        time.Duration
		err          string
	}{
		// set beside pprof: kept as written.
		{"set", "    pprof: /debug/pprof\n    profile_every: 30s\n", 30 * time.Second, ""},
		// not set: 0, the default share of the duration applies.
		{"default", "    pprof: /debug/pprof\n", 0, ""},
		// nowhere to take profiles from.
		{"no pprof", "    profile_every: 30s\n", 0, "profile_every: needs pprof"},
		// each profile forces a GC in the target: a floor.
		{"too often", "    pprof: /debug/pprof\n    profile_every: 200ms\n", 0, "at least 1s"},
		// not a duration.
		{"bad", "    pprof: /debug/pprof\n    profile_every: often\n", 0, "expected a duration"},
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
			if got := m.Targets[0].ProfileEvery; got != c.every {
				t.Errorf("profile_every %v, want %v", got, c.every)
			}
		})
	}
}

func TestProfileInterval(t *testing.T) {
	t.Parallel()
	cases := []struct {
		every, duration, want time.Duration
	}{
		{0, time.Minute, 15 * time.Second},              // 6 s is under the floor
		{0, 10 * time.Minute, time.Minute},              // a tenth of the duration
		{0, 24 * time.Hour, 5 * time.Minute},            // capped
		{3 * time.Second, time.Minute, 3 * time.Second}, // the matrix's own
	}
	for _, c := range cases {
		if got := (Target{ProfileEvery: c.every}).ProfileInterval(c.duration); got != c.want {
			t.Errorf("every %v duration %v: %v, want %v", c.every, c.duration, got, c.want)
		}
	}
}
