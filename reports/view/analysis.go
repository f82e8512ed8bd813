package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Field is one figure of a cell's analysis as a report lists it: its key as
// stored ("fit.slope_mib_per_h") and its value spelled with its unit.
type Field struct {
	Key, Value string
}

// AnalysisFields lists every figure of a, in the stored order (grouped by
// criterion), each spelled by its key's unit suffix; nil for no analysis.
// Fields added to results.Analysis are listed without a change here.
func AnalysisFields(a *results.Analysis) []Field {
	if a == nil {
		return nil
	}
	data, err := json.Marshal(a)
	if err != nil {
		return []Field{{"error", err.Error()}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []Field
	var path []string // enclosing objects' keys
	var key string    // the key whose value comes next, "" inside no object
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if key != "" {
					path = append(path, key)
				}
			case '}':
				if len(path) > 0 {
					path = path[:len(path)-1]
				}
			}
			key = ""
			continue
		case string:
			if key == "" {
				key = t
				continue
			}
			out = append(out, Field{join(path, key), t})
		case json.Number:
			f, _ := t.Float64()
			out = append(out, Field{join(path, key), AnalysisValue(join(path, key), f)})
		case bool:
			out = append(out, Field{join(path, key), map[bool]string{true: "yes", false: "no"}[t]})
		case nil:
		default:
			out = append(out, Field{join(path, key), fmt.Sprint(t)})
		}
		key = ""
	}
	return out
}

func join(path []string, key string) string {
	return strings.Join(append(append([]string(nil), path...), key), ".")
}
