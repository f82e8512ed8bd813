package matrix

import (
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// templateFuncs are the functions env templates may call on axis values.
var templateFuncs = template.FuncMap{
	// bytes turns a size ("128MiB") into bytes.
	"bytes": func(s string) (int64, error) { return ParseSize(s) },
	// mib turns a size into whole MiB, rounded down.
	"mib": func(s string) (int64, error) {
		n, err := ParseSize(s)
		return n >> 20, err
	},
	// seconds turns a duration ("1m30s") into whole seconds.
	"seconds": func(s string) (int64, error) {
		d, err := ParseDuration(s)
		return int64(d / time.Second), err
	},
	// millis turns a duration into whole milliseconds.
	"millis": func(s string) (int64, error) {
		d, err := ParseDuration(s)
		return int64(d / time.Millisecond), err
	},
}

// parseTemplate parses an env template. Loops and nested templates are
// refused: an env value needs neither, and "{{range 1000000000}}" or a
// template calling itself twice would make rendering run for ever.
func parseTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(templateFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	if len(t.Templates()) > 1 {
		return nil, fmt.Errorf("define and block are not allowed in env templates")
	}
	var bad string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.RangeNode:
			bad = "range"
		case *parse.TemplateNode:
			bad = "template"
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	if t.Tree != nil {
		walk(t.Tree.Root)
	}
	if bad != "" {
		return nil, fmt.Errorf("%s is not allowed in env templates", bad)
	}
	return t, nil
}

// templateFields lists the names a template reads from its data: "rps" for
// {{.rps}}, "env.GOGC" for {{.env.GOGC}}.
func templateFields(t *template.Template) []string {
	var out []string
	var walk func(n parse.Node)
	add := func(ident []string) {
		if len(ident) == 0 {
			return
		}
		if ident[0] == "env" && len(ident) > 1 {
			out = append(out, EnvAxisPrefix+ident[1])
			return
		}
		out = append(out, ident[0])
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			add(n.Ident)
		case *parse.VariableNode:
			if len(n.Ident) > 1 && n.Ident[0] == "$" {
				add(n.Ident[1:])
			}
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	if t.Tree != nil {
		walk(t.Tree.Root)
	}
	return out
}

// templateData is what env templates see: every axis by name, env axes
// under .env (without the prefix), the target name and the repeat number.
func templateData(target string, axes map[string]string, repeat int) map[string]any {
	data := make(map[string]any, len(axes)+3)
	env := map[string]string{}
	for k, v := range axes {
		if name, ok := strings.CutPrefix(k, EnvAxisPrefix); ok {
			env[name] = v
		} else {
			data[k] = v
		}
	}
	data["env"] = env
	data["target"] = target
	data["repeat"] = repeat
	return data
}

// renderEnv renders the target's env templates for one cell and adds the
// env axes. It returns the name of the variable that failed with the error.
func renderEnv(t *Target, tmpls map[string]*template.Template, axes map[string]string, repeat int) (map[string]string, string, error) {
	env := make(map[string]string, len(t.Env))
	data := templateData(t.Name, axes, repeat)
	for k := range t.Env {
		var b strings.Builder
		if err := tmpls[k].Execute(&b, data); err != nil {
			return nil, k, fmt.Errorf("template %q: %v", t.Env[k], cleanTemplateErr(err))
		}
		env[k] = b.String()
	}
	for k, v := range axes {
		if name, ok := strings.CutPrefix(k, EnvAxisPrefix); ok {
			env[name] = v
		}
	}
	return env, "", nil
}

// cleanTemplateErr drops text/template's position prefix and says what a
// missing key means here.
func cleanTemplateErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.HasPrefix(s, "template: ") {
		s = s[i+2:]
	}
	if k, ok := strings.CutPrefix(s, "map has no entry for key "); ok {
		return "the cell has no axis " + k
	}
	return s
}

// Uses reports whether the target's env or command templates read the
// named axis ("rps" for {{.rps}}): a client or workload target that does
// not read rps or tasks has no use for those axes.
func (t *Target) Uses(axis string) bool {
	for _, v := range t.Env {
		if tp, err := parseTemplate("env", v); err == nil && contains(templateFields(tp), axis) {
			return true
		}
	}
	tps, _ := commandTemplates(t)
	for _, tp := range tps {
		if tp != nil && contains(templateFields(tp), axis) {
			return true
		}
	}
	return false
}
