package matrix

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArgs(t *testing.T) {
	t.Parallel()
	c := Cell{ID: "py/ram=64MiB,rps=50", Target: "py", Axes: map[string]string{"rps": "50", "ram": "64MiB", "env.GOGC": "100"}, Repeat: 2}
	tests := []struct {
		command []string
		want    []string
		err     string
	}{
		// the port soaklab picked, as python's http.server takes it
		{[]string{"python3", "-m", "http.server", "{{.port}}"}, []string{"python3", "-m", "http.server", "8080"}, ""},
		// axes, env axes, functions, the sink, the repeat, in one argument
		{[]string{"srv", "--rate={{.rps}}", "--heap={{mib .ram}}M", "--gogc={{.env.GOGC}}", "--sink={{.sink}}", "--run={{.repeat}}"},
			[]string{"srv", "--rate=50", "--heap=64M", "--gogc=100", "--sink=http://127.0.0.1:9/sink", "--run=2"}, ""},
		// no template: taken as written, braces and all
		{[]string{"sh", "-c", "echo {} $PORT"}, []string{"sh", "-c", "echo {} $PORT"}, ""},
		// an axis the cell does not have
		{[]string{"srv", "{{.tasks}}"}, nil, `targets.py.command[1]: template "{{.tasks}}": the cell has no axis "tasks"`},
		// bad syntax
		{[]string{"srv", "{{.port"}, nil, "targets.py.command[1]: bad template"},
	}
	for _, tt := range tests {
		tg := Target{Name: "py", Command: tt.command}
		got, err := tg.Args(c, 8080, "http://127.0.0.1:9/sink")
		if tt.err != "" {
			require.Error(t, err, "%v", tt.command)
			assert.Contains(t, err.Error(), tt.err)
			continue
		}
		require.NoError(t, err, "%v", tt.command)
		assert.Equal(t, tt.want, got)
	}
}

func TestExpect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expect string
		want   []int
		err    string
	}{
		{"[200, 404]", []int{200, 404}, ""}, // a list
		{"404", []int{404}, ""},             // one status
		{"[99]", nil, "x.yaml:6:33: workload.requests[0].expect[0]: must be at least 100, got 99"}, // not a status
		{"[200, 600]", nil, "workload.requests[0].expect[1]: an HTTP status is 100-599, got 600"},
		{"[]", nil, "workload.requests[0].expect: expected HTTP statuses, e.g. [200, 404]"},
		{"[ok]", nil, `workload.requests[0].expect[0]: expected a whole number, got "ok"`},
	}
	for _, tt := range tests {
		src := "targets:\n  a:\n    command: [srv]\nworkload:\n  requests:\n    - {path: /missing, expect: " + tt.expect + "}\n"
		m, err := Parse("x.yaml", []byte(src))
		if tt.err != "" {
			require.Error(t, err, tt.expect)
			assert.Contains(t, err.Error(), tt.err)
			continue
		}
		require.NoError(t, err, tt.expect)
		assert.Equal(t, tt.want, m.Workload.Requests[0].Expect)
	}
}
