package matrix

import (
	"fmt"
	"strings"
	"text/template"
)

// Fields that command templates may read besides those of env templates
// (every axis by name, .env, .target, .repeat).
const (
	CommandPort = "port" // the port soaklab gives the target to listen on
	CommandSink = "sink" // client targets: the URL of soaklab's sink ("" otherwise)
)

// Args renders the target's command for one cell. Each argument is a
// template like the values of env — "{{.rps}}", "{{mib .ram}}" — that may
// also read {{.port}} and {{.sink}}, known only when the cell starts:
// [python3, -m, http.server, "{{.port}}"]. Arguments without "{{" are
// taken as written.
func (t *Target) Args(c Cell, port int, sink string) ([]string, error) {
	out := make([]string, len(t.Command))
	var data map[string]any
	for i, a := range t.Command {
		if !strings.Contains(a, "{{") {
			out[i] = a
			continue
		}
		tp, err := parseTemplate("command", a)
		if err != nil {
			return nil, fmt.Errorf("targets.%s.command[%d]: bad template %q: %s", t.Name, i, a, cleanTemplateErr(err))
		}
		if data == nil {
			data = templateData(t.Name, c.Axes, c.Repeat)
			data[CommandPort] = port
			data[CommandSink] = sink
		}
		var b strings.Builder
		if err := tp.Execute(&b, data); err != nil {
			return nil, fmt.Errorf("targets.%s.command[%d]: template %q: %s", t.Name, i, a, cleanTemplateErr(err))
		}
		out[i] = b.String()
	}
	return out, nil
}

// commandTemplates parses the target's templated arguments, by index.
func commandTemplates(t *Target) (map[int]*template.Template, map[int]error) {
	tps, errs := map[int]*template.Template{}, map[int]error{}
	for i, a := range t.Command {
		if !strings.Contains(a, "{{") {
			continue
		}
		tp, err := parseTemplate("command", a)
		if err != nil {
			errs[i] = err
			continue
		}
		tps[i] = tp
	}
	return tps, errs
}
