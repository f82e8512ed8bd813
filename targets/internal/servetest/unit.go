package servetest

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/soaklab/soaklab/targets/internal/serve"
)

// Counter reads the value of an in-process counter (a target's own
// collector, not its /metrics page).
func Counter(t testing.TB, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// Knob is one row of a target's knob table.
type Knob struct {
	Name string            // the subtest's name
	Env  map[string]string // the variables set; nil for the defaults
	OK   bool              // whether they parse
}

// Knobs runs each case as a parallel subtest: read parses an Env over the
// case's variables (the target's readConfig or setup) and returns what it
// read, for the failure message. A case passes when env.Err() is nil
// exactly when it is OK.
func Knobs(t *testing.T, cases []Knob, read func(t *testing.T, env *serve.Env) any) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("no knob cases")
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			env := serve.NewEnv(serve.MapEnv(tc.Env))
			got := read(t, env)
			if err := env.Err(); (err == nil) != tc.OK {
				t.Errorf("env %v: err %v, want ok=%v (read %+v)", tc.Env, err, tc.OK, got)
			}
		})
	}
}
