package matrix

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

var targetKeys = []string{"kind", "build", "command", "image", "dockerfile", "port_env", "ready", "metrics", "pprof", "warmup", "throughput", "sink_env", "env", "axes", "workload", "thresholds", "metrics_keep", "metrics_max_series", "profile_every"}

var readyKeys = []string{"path", "timeout"}

var sourceKeys = []string{"build", "command", "image", "dockerfile"}

var (
	targetName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	envName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// targets decodes the `targets:` mapping, name -> spec, in file order.
func (d *decoder) targets(n *yaml.Node, backend string) []Target {
	var out []Target
	for _, f := range d.fields(n, "targets") {
		if !targetName.MatchString(f.key) {
			d.errf(f.keyPos, "targets: bad target name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", f.key)
			continue
		}
		d.pos["targets."+f.key] = f.keyPos
		out = append(out, d.target(f, backend))
	}
	return out
}

func (d *decoder) target(f field, backend string) Target {
	what := "targets." + f.key
	t := Target{Name: f.key, Kind: KindServer, PortEnv: DefaultPortEnv, Ready: DefaultReady}
	o := d.object(f.val, what, targetKeys)
	if n := o["kind"]; n != nil {
		if s, ok := d.enum(n, what+".kind", Kinds...); ok {
			t.Kind = s
		}
	}
	var sources []string
	for _, k := range sourceKeys {
		if o[k] != nil {
			sources = append(sources, k)
		}
	}
	switch len(sources) {
	case 0:
		d.errf(f.keyPos, "%s: needs one of build, command, image or dockerfile", what)
	case 1:
	default:
		d.errf(o[sources[1]], "%s: needs exactly one of build, command, image or dockerfile, got %s", what, strings.Join(sources, " and "))
	}
	if n := o["workload"]; n != nil {
		w := d.workload(n, what+".workload")
		t.Workload = &w
	}
	if n := o["build"]; n != nil {
		t.Build, _ = d.nonEmpty(n, what+".build")
		if len(sources) == 1 {
			d.buildExists(n, what+".build", t.Build)
		}
	}
	if n := o["command"]; n != nil {
		t.Command = d.command(n, what+".command")
		if backend == "process" {
			d.commandExists(n, what+".command", t.Command)
		}
	}
	if n := o["image"]; n != nil {
		t.Image, _ = d.nonEmpty(n, what+".image")
	}
	if n := o["dockerfile"]; n != nil {
		t.Dockerfile, _ = d.nonEmpty(n, what+".dockerfile")
	}
	for _, k := range []string{"image", "dockerfile"} {
		if o[k] != nil && backend == "process" {
			d.errf(o[k], "%s.%s: needs backend: docker or auto (the matrix says backend: process)", what, k)
		}
	}
	if n := o["port_env"]; n != nil {
		t.PortEnv, _ = d.envVar(n, what+".port_env")
	}
	if n := o["ready"]; n != nil {
		t.Ready = d.ready(n, what+".ready")
		if t.Ready.None && t.Kind == KindServer {
			d.errf(n, "%s.ready: a server target needs a readiness path (soaklab's driver starts once it answers); ready: none is for client and workload targets that listen on no port", what)
		}
	}
	if n := o["metrics"]; n != nil {
		t.Metrics, _ = d.path(n, what+".metrics")
	}
	if n := o["pprof"]; n != nil {
		t.Pprof, _ = d.path(n, what+".pprof")
	}
	if n := o["warmup"]; n != nil {
		d.pos[what+".warmup"] = n
		t.Warmup, _ = d.duration(n, what+".warmup")
	}
	if n := o["throughput"]; n != nil {
		t.Throughput, _ = d.nonEmpty(n, what+".throughput")
		if t.Kind != KindWorkload {
			d.errf(n, "%s.throughput: only workload targets name a throughput counter (kind is %s)", what, t.Kind)
		} else if o["metrics"] == nil {
			d.errf(n, "%s.throughput: needs metrics: the path the counter is scraped from", what)
		}
	} else if t.Kind == KindWorkload {
		d.warnf(f.keyPos, "%s: workload target without throughput: its throughput will not be measured", what)
	}
	if t.Kind == KindClient {
		t.SinkEnv = DefaultSinkEnv
	}
	if n := o["sink_env"]; n != nil {
		t.SinkEnv, _ = d.envVar(n, what+".sink_env")
		if t.Kind != KindClient {
			d.errf(n, "%s.sink_env: only client targets get a sink (kind is %s)", what, t.Kind)
		}
	}
	if n := o["env"]; n != nil {
		var fs []field
		t.Env, fs = d.strMap(n, what+".env")
		for _, e := range fs {
			d.pos[what+".env."+e.key] = e.val
			if !envName.MatchString(e.key) {
				d.errf(e.keyPos, "%s.env: bad variable name %q", what, e.key)
			}
			if e.key == t.PortEnv || e.key == t.SinkEnv {
				d.errf(e.keyPos, "%s.env: %s is set by soaklab for this target (port_env/sink_env)", what, e.key)
			}
		}
	}
	if n := o["metrics_keep"]; n != nil {
		for i, en := range d.list(n, what+".metrics_keep") {
			name, ok := d.str(en, fmt.Sprintf("%s.metrics_keep[%d]", what, i))
			if ok && !promName.MatchString(name) {
				d.errf(en, "%s.metrics_keep[%d]: %q is not a Prometheus metric family name", what, i, name)
				continue
			}
			t.MetricsKeep = append(t.MetricsKeep, name)
		}
		if o["metrics"] == nil {
			d.errf(n, "%s.metrics_keep: needs metrics: the path the families are scraped from", what)
		}
	}
	if n := o["metrics_max_series"]; n != nil {
		t.MetricsMaxSeries, _ = d.integer(n, what+".metrics_max_series", 1)
		if o["metrics"] == nil {
			d.errf(n, "%s.metrics_max_series: needs metrics: the path the families are scraped from", what)
		}
	}
	if n := o["profile_every"]; n != nil {
		if every, ok := d.duration(n, what+".profile_every"); ok {
			switch {
			case o["pprof"] == nil:
				d.errf(n, "%s.profile_every: needs pprof: the prefix heap profiles are taken from", what)
			case every < MinProfileEvery:
				d.errf(n, "%s.profile_every: at least %s (each profile makes the target collect its garbage), got %s", what, FormatDuration(MinProfileEvery), FormatDuration(every))
			default:
				t.ProfileEvery = every
			}
		}
	}
	if n := o["thresholds"]; n != nil {
		t.Thresholds = d.thresholds(n, what+".thresholds", o["metrics"] != nil)
	}
	if n := o["axes"]; n != nil {
		t.Axes = d.axes(n, what+".axes", what+".axes")
	}
	return t
}

func (d *decoder) nonEmpty(n *yaml.Node, what string) (string, bool) {
	s, ok := d.str(n, what)
	if ok && strings.TrimSpace(s) == "" {
		d.errf(n, "%s: must not be empty", what)
		return "", false
	}
	return s, ok
}

func (d *decoder) envVar(n *yaml.Node, what string) (string, bool) {
	s, ok := d.str(n, what)
	if ok && !envName.MatchString(s) {
		d.errf(n, "%s: expected an environment variable name like PORT, got %q", what, s)
		return "", false
	}
	return s, ok
}

// command reads `command:` as a list of words, or a string split on spaces.
func (d *decoder) command(n *yaml.Node, what string) []string {
	r := d.resolve(n)
	var out []string
	if r.Kind == yaml.ScalarNode && !isNull(r) {
		out = strings.Fields(r.Value)
	} else {
		out = d.strList(r, what)
	}
	for i := range out { // positions for the templates' errors
		d.pos[fmt.Sprintf("%s[%d]", what, i)] = r
		if r.Kind == yaml.SequenceNode && i < len(r.Content) {
			d.pos[fmt.Sprintf("%s[%d]", what, i)] = r.Content[i]
		}
	}
	if len(out) == 0 || out[0] == "" {
		d.errf(n, "%s: expected a program and its arguments, e.g. [python3, server.py]", what)
	}
	return out
}

// ready reads `ready:` as {path, timeout} or a bare path.
func (d *decoder) ready(n *yaml.Node, what string) Ready {
	r := DefaultReady
	if rn := d.resolve(n); rn.Kind == yaml.ScalarNode && rn.Value == ReadyNone {
		return Ready{None: true, Timeout: DefaultReady.Timeout}
	}
	if rn := d.resolve(n); rn.Kind == yaml.ScalarNode && !isNull(rn) {
		r.Path, _ = d.path(rn, what)
		return r
	}
	o := d.object(n, what, readyKeys)
	if p := o["path"]; p != nil {
		r.Path, _ = d.path(p, what+".path")
	}
	if p := o["timeout"]; p != nil {
		if v, ok := d.duration(p, what+".timeout"); ok {
			if v == 0 {
				d.errf(p, "%s.timeout: must be positive", what)
			}
			r.Timeout = v
		}
	}
	return r
}
