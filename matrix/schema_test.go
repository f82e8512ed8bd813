package matrix

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// schemaDoc is the schema as plain JSON values.
func schemaDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(Schema(), &doc))
	return doc
}

// schemaObject finds the object schema at a definition: its properties'
// names, sorted.
func schemaKeys(t *testing.T, def map[string]any) []string {
	t.Helper()
	props, ok := def["properties"].(map[string]any)
	if !ok {
		// ready: the object branch of a oneOf
		for _, b := range def["oneOf"].([]any) {
			if p, ok := b.(map[string]any)["properties"].(map[string]any); ok {
				props = p
			}
		}
	}
	require.NotNil(t, props, "no properties in %v", def)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// Every key the strict decoder accepts is in the schema, and the schema
// has no key the decoder refuses; the enums are the parser's.
func TestSchemaMatchesParser(t *testing.T) {
	t.Parallel()
	doc := schemaDoc(t)
	defs := doc["$defs"].(map[string]any)
	def := func(name string) map[string]any { return defs[name].(map[string]any) }
	tests := []struct {
		where  string
		schema map[string]any
		keys   []string
	}{
		{"top level", doc, topKeys},
		{"targets.<name>", def("target"), targetKeys},
		{"targets.<name>.ready", def("ready"), readyKeys},
		{"workload", def("workload"), workloadKeys},
		{"workload.requests[]", def("request"), requestKeys},
		{"compare[]", def("compare"), compareKeys},
		{"targets.<name>.thresholds[]", def("threshold"), thresholdKeys},
		{"compare[].scorecard", def("scorecard"), scorecardKeys},
		{"compare[].scorecard.ratios[]", def("ratio"), ratioKeys},
		{"judge", def("judge"), judgeKeys},
		{"axes (well-known)", def("axes"), WellKnownAxes},
	}
	for _, tt := range tests {
		assert.Equal(t, sorted(tt.keys), schemaKeys(t, tt.schema), "%s: the schema's keys differ from the decoder's", tt.where)
	}
	enum := func(v any) []string {
		var out []string
		for _, e := range v.(map[string]any)["enum"].([]any) {
			out = append(out, e.(string))
		}
		return sorted(out)
	}
	assert.Equal(t, sorted(Backends), enum(doc["properties"].(map[string]any)["backend"]))
	assert.Equal(t, sorted(Kinds), enum(def("target")["properties"].(map[string]any)["kind"]))
	var sources []string
	for _, b := range def("target")["oneOf"].([]any) {
		sources = append(sources, b.(map[string]any)["required"].([]any)[0].(string))
	}
	assert.Equal(t, sorted(sourceKeys), sorted(sources), "exactly one source")
}

// compiled is the schema ready to validate documents.
func compiled(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("schema.json", doc))
	s, err := c.Compile("schema.json")
	require.NoError(t, err)
	return s
}

// asJSON turns a YAML document into the JSON values a validator reads.
func asJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v))
	j, err := json.Marshal(v)
	require.NoError(t, err)
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	require.NoError(t, err)
	return out
}

// The shipped matrices, the starter and every matrix the parser accepts in
// testdata validate against the schema.
func TestShippedMatricesMatchSchema(t *testing.T) {
	t.Parallel()
	s := compiled(t)
	files := []string{"../matrix.yaml"}
	for _, glob := range []string{"../ci/*.yaml", "testdata/*.yaml", "../harness/cli/testdata/*.yaml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		if _, err := Parse(f, data); err != nil {
			continue // a bad matrix kept to test errors
		}
		checked++
		assert.NoError(t, s.Validate(asJSON(t, data)), f)
	}
	assert.GreaterOrEqual(t, checked, 5, "matrices checked")
	_, err := Parse("starter.yaml", Starter([]string{"python3", "-m", "http.server", "$PORT"}))
	require.NoError(t, err)
	assert.NoError(t, s.Validate(asJSON(t, Starter(nil))))
}

// What the decoder refuses as an unknown key, the schema refuses too.
func TestSchemaRefusesUnknownKeys(t *testing.T) {
	t.Parallel()
	s := compiled(t)
	base := "targets:\n  s:\n    command: [./s]\n"
	for _, doc := range []string{
		base + "colour: red\n",                                          // top level
		"targets:\n  s:\n    command: [./s]\n    colour: red\n",         // a target
		base + "workload:\n  colour: red\n",                             // workload
		base + "workload:\n  requests:\n    - {path: /, colour: red}\n", // a request
		base + "judge:\n  max_drfit_pct: 5\n",                           // judge
		"targets:\n  s:\n    command: [./s]\n    build: ./s\n",          // two sources
	} {
		_, perr := Parse("m.yaml", []byte(doc))
		require.Error(t, perr, doc)
		assert.Error(t, s.Validate(asJSON(t, []byte(doc))), doc)
	}
	assert.True(t, strings.HasPrefix(string(Schema()), "{"))
}

// The starter parses for either kind of command, and carries the command.
func TestStarter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		command []string
		want    []string // the target's command after parsing
	}{
		// takes its port as an argument: through sh
		{[]string{"python3", "-m", "http.server", "$PORT"}, []string{"sh", "-c", "exec python3 -m http.server $PORT"}},
		// reads PORT itself: as it is, quoted
		{[]string{"./server", "--name", "a b"}, []string{"./server", "--name", "a b"}},
	} {
		m, err := Parse("starter.yaml", Starter(tt.command))
		require.NoError(t, err, "%s", Starter(tt.command))
		require.Len(t, m.Targets, 1)
		assert.Equal(t, tt.want, m.Targets[0].Command)
		assert.Equal(t, "/", m.Targets[0].Ready.Path)
	}
}
