package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
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
	var path []string       // enclosing objects' keys and arrays' indexes
	var arrays []int        // per level of path: the next index of an array, -1 for an object
	var key string          // the key whose value comes next, "" inside no object
	name := func() string { // the key of the value that comes next
		if n := len(arrays); n > 0 && arrays[n-1] >= 0 {
			k := strconv.Itoa(arrays[n-1])
			arrays[n-1]++
			return k
		}
		return key
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if k := name(); k != "" {
					path = append(path, k)
					arrays = append(arrays, map[bool]int{true: 0, false: -1}[d == '['])
				} else if d == '[' { // a top-level array: not the form of Analysis
					arrays = append(arrays, 0)
					path = append(path, "")
				}
			case '}', ']':
				if len(path) > 0 {
					path, arrays = path[:len(path)-1], arrays[:len(arrays)-1]
				}
			}
			key = ""
			continue
		}
		if s, ok := tok.(string); ok && key == "" && (len(arrays) == 0 || arrays[len(arrays)-1] < 0) {
			key = s
			continue
		}
		k := join(path, name())
		switch t := tok.(type) {
		case string:
			out = append(out, Field{k, t})
		case json.Number:
			f, _ := t.Float64()
			out = append(out, Field{k, AnalysisValue(k, f)})
		case bool:
			out = append(out, Field{k, map[bool]string{true: "yes", false: "no"}[t]})
		case nil:
		default:
			out = append(out, Field{k, fmt.Sprint(t)})
		}
		key = ""
	}
	return out
}

func join(path []string, key string) string {
	return strings.Join(append(append([]string(nil), path...), key), ".")
}
