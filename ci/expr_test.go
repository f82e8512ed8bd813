package ci

import (
	"encoding/json"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file evaluates GitHub Actions expressions (`${{ ... }}`) for the
// local runner of runner_test.go, with actionlint's parser and the
// semantics of GitHub's documentation: loose comparison, case-insensitive
// strings, the status functions, fromJSON, format, contains, startsWith,
// endsWith, join, toJSON.

// exprCtx is what an expression can read: the contexts by name, and the
// job's status for success(), failure(), always() and cancelled().
type exprCtx struct {
	vars   map[string]any
	failed bool
}

// eval evaluates one expression (the text between ${{ and }}).
func (c *exprCtx) eval(src string) (any, error) {
	node, perr := actionlint.NewExprParser().Parse(actionlint.NewExprLexer(src + "}}"))
	if perr != nil {
		return nil, fmt.Errorf("expression %q: %s", src, perr.Message)
	}
	return c.node(node)
}

// interpolate replaces every ${{ }} in s; a string that is a single
// expression keeps the expression's type (an array for fromJSON).
func (c *exprCtx) interpolate(s string) (any, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "${{") && strings.HasSuffix(t, "}}") && strings.Count(t, "${{") == 1 {
		return c.eval(t[3 : len(t)-2])
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed ${{ in %q", s)
		}
		v, err := c.eval(s[i+3 : i+j])
		if err != nil {
			return nil, err
		}
		b.WriteString(s[:i])
		b.WriteString(toString(v))
		s = s[i+j+2:]
	}
}

// str interpolates s and spells the result as a string.
func (c *exprCtx) str(s string) (string, error) {
	v, err := c.interpolate(s)
	return toString(v), err
}

// cond evaluates an `if:` (with or without ${{ }}); "" means success().
func (c *exprCtx) cond(s string) (bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return !c.failed, nil
	}
	if strings.HasPrefix(s, "${{") && strings.HasSuffix(s, "}}") {
		s = s[3 : len(s)-2]
	}
	v, err := c.eval(s)
	return truthy(v), err
}

func (c *exprCtx) node(n actionlint.ExprNode) (any, error) {
	switch n := n.(type) {
	case *actionlint.VariableNode:
		return c.vars[strings.ToLower(n.Name)], nil
	case *actionlint.NullNode:
		return nil, nil
	case *actionlint.BoolNode:
		return n.Value, nil
	case *actionlint.IntNode:
		return float64(n.Value), nil
	case *actionlint.FloatNode:
		return n.Value, nil
	case *actionlint.StringNode:
		return n.Value, nil
	case *actionlint.ObjectDerefNode:
		recv, err := c.node(n.Receiver)
		if err != nil {
			return nil, err
		}
		return property(recv, n.Property), nil
	case *actionlint.IndexAccessNode:
		recv, err := c.node(n.Operand)
		if err != nil {
			return nil, err
		}
		idx, err := c.node(n.Index)
		if err != nil {
			return nil, err
		}
		if l, ok := recv.([]any); ok {
			i := int(toNumber(idx))
			if i >= 0 && i < len(l) {
				return l[i], nil
			}
			return nil, nil
		}
		return property(recv, toString(idx)), nil
	case *actionlint.NotOpNode:
		v, err := c.node(n.Operand)
		return !truthy(v), err
	case *actionlint.LogicalOpNode:
		l, err := c.node(n.Left)
		if err != nil {
			return nil, err
		}
		if (n.Kind == actionlint.LogicalOpNodeKindAnd) != truthy(l) {
			return l, nil // && stops at a falsy left, || at a truthy one
		}
		return c.node(n.Right)
	case *actionlint.CompareOpNode:
		l, err := c.node(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.node(n.Right)
		if err != nil {
			return nil, err
		}
		return compare(n.Kind, l, r), nil
	case *actionlint.FuncCallNode:
		return c.call(n)
	}
	return nil, fmt.Errorf("expression node %T not supported here", n)
}

func (c *exprCtx) call(n *actionlint.FuncCallNode) (any, error) {
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		v, err := c.node(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	arg := func(i int) string { return toString(args[i]) }
	switch strings.ToLower(n.Callee) {
	case "success":
		return !c.failed, nil
	case "failure":
		return c.failed, nil
	case "always":
		return true, nil
	case "cancelled":
		return false, nil
	case "fromjson":
		var v any
		if err := json.Unmarshal([]byte(arg(0)), &v); err != nil {
			return nil, fmt.Errorf("fromJSON(%q): %w", arg(0), err)
		}
		return v, nil
	case "tojson":
		b, err := json.MarshalIndent(args[0], "", "  ")
		return string(b), err
	case "format":
		s := arg(0)
		for i := 1; i < len(args); i++ {
			s = strings.ReplaceAll(s, "{"+strconv.Itoa(i-1)+"}", arg(i))
		}
		return s, nil
	case "contains":
		if l, ok := args[0].([]any); ok {
			for _, x := range l {
				if compare(actionlint.CompareOpNodeKindEq, x, args[1]).(bool) {
					return true, nil
				}
			}
			return false, nil
		}
		return strings.Contains(strings.ToLower(arg(0)), strings.ToLower(arg(1))), nil
	case "startswith":
		return strings.HasPrefix(strings.ToLower(arg(0)), strings.ToLower(arg(1))), nil
	case "endswith":
		return strings.HasSuffix(strings.ToLower(arg(0)), strings.ToLower(arg(1))), nil
	case "join":
		sep := ","
		if len(args) > 1 {
			sep = arg(1)
		}
		l, _ := args[0].([]any)
		parts := make([]string, len(l))
		for i, x := range l {
			parts[i] = toString(x)
		}
		return strings.Join(parts, sep), nil
	}
	return nil, fmt.Errorf("function %s() not supported here", n.Callee)
}

// property reads a key of an object, case-insensitively as GitHub does.
func property(v any, key string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if x, ok := m[key]; ok {
		return x
	}
	for k, x := range m {
		if strings.EqualFold(k, key) {
			return x
		}
	}
	return nil
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0 && !math.IsNaN(v)
	case string:
		return v != ""
	}
	return true
}

func toNumber(v any) float64 {
	switch v := v.(type) {
	case nil:
		return 0
	case bool:
		if v {
			return 1
		}
		return 0
	case float64:
		return v
	case string:
		if strings.TrimSpace(v) == "" {
			return 0
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// compare is GitHub's loose comparison: strings case-insensitively,
// anything else as numbers.
func compare(kind actionlint.CompareOpNodeKind, l, r any) any {
	ls, lok := l.(string)
	rs, rok := r.(string)
	var c int
	if lok && rok {
		c = strings.Compare(strings.ToLower(ls), strings.ToLower(rs))
	} else {
		a, b := toNumber(l), toNumber(r)
		if math.IsNaN(a) || math.IsNaN(b) {
			return kind == actionlint.CompareOpNodeKindNotEq
		}
		switch {
		case a < b:
			c = -1
		case a > b:
			c = 1
		}
	}
	switch kind {
	case actionlint.CompareOpNodeKindLess:
		return c < 0
	case actionlint.CompareOpNodeKindLessEq:
		return c <= 0
	case actionlint.CompareOpNodeKindGreater:
		return c > 0
	case actionlint.CompareOpNodeKindGreaterEq:
		return c >= 0
	case actionlint.CompareOpNodeKindEq:
		return c == 0
	}
	return c != 0
}

// globMatch is download-artifact's pattern match (minimatch on names).
func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

func TestExpressions(t *testing.T) {
	t.Parallel()
	c := &exprCtx{vars: map[string]any{
		"inputs": map[string]any{"shards": 2.0, "prefix": "soak", "baseline": true, "empty": ""},
		"matrix": map[string]any{"shard": 1.0},
		"steps":  map[string]any{"run": map[string]any{"outputs": map[string]any{"code": "1"}}},
		"needs":  map[string]any{"plan": map[string]any{"outputs": map[string]any{"shards": "[1,2]"}}},
	}}
	tests := []struct {
		in   string
		want any
	}{
		{"${{ inputs.prefix }}-shard-${{ matrix.shard }}", "soak-shard-1"},   // interpolation
		{"${{ matrix.shard }}/${{ inputs.shards }}", "1/2"},                  // numbers spelt as integers
		{"${{ fromJSON(needs.plan.outputs.shards) }}", []any{1.0, 2.0}},      // a lone expression keeps its type
		{"${{ inputs.empty || 'matrix.yaml' }}", "matrix.yaml"},              // || gives the first truthy
		{"${{ steps.run.outputs.code == 1 }}", true},                         // "1" == 1 loosely
		{"${{ inputs.prefix == 'SOAK' }}", true},                             // strings compare case-insensitively
		{"${{ !cancelled() && inputs.baseline }}", true},                     // status functions
		{"${{ steps.missing.outputs.x }}", nil},                              // a missing property is null
		{"${{ format('{0}-{1}', inputs.prefix, 'report') }}", "soak-report"}, // format
		{"${{ contains(fromJSON('[\"a\",\"b\"]'), 'B') }}", true},            // contains on an array
		{"${{ startsWith(github.ref, 'refs/') }}", false},                    // missing context
		{"x ${{ toJSON(matrix) }}", "x {\n  \"shard\": 1\n}"},                // objects as JSON
		{"${{ inputs.shards > 1 && 'many' || 'one' }}", "many"},              // the ternary idiom
		{"plain", "plain"}, // no expression
	}
	for _, tt := range tests {
		got, err := c.interpolate(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	ok, err := c.cond("")
	require.NoError(t, err)
	assert.True(t, ok, "an empty if: is success()")
	c.failed = true
	ok, _ = c.cond("")
	assert.False(t, ok, "after a failed step an empty if: skips")
	ok, _ = c.cond("${{ !cancelled() }}")
	assert.True(t, ok)
	ok, _ = c.cond("always()")
	assert.True(t, ok)
	assert.True(t, globMatch("soak-shard-*", "soak-shard-2"))
	assert.False(t, globMatch("soak-shard-*", "soak-report"))
}
