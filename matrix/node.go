package matrix

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxAliases bounds how many alias dereferences one file may cost, so a
// file of nested aliases cannot make validation explode.
const maxAliases = 10000

// maxMergeDepth bounds nested merge keys (<<), which may form cycles.
const maxMergeDepth = 16

// decoder walks a yaml.Node tree, collecting every problem with its position
// instead of stopping at the first.
type decoder struct {
	file    string
	errs    Errors
	warns   Errors
	aliases int
	// pos remembers nodes for checks made after decoding, by dotted path.
	pos map[string]*yaml.Node
	// host checks files and programs the matrix names; nil (Parse) skips
	// those checks.
	host *host
}

func (d *decoder) at(n *yaml.Node, msg string) Error {
	e := Error{File: d.file, Msg: msg}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

func (d *decoder) errf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, d.at(n, fmt.Sprintf(format, args...)))
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.warns = append(d.warns, d.at(n, fmt.Sprintf(format, args...)))
}

// resolve follows aliases to the node they name. Past the alias budget it
// reports once and returns a null node.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		if d.aliases == maxAliases {
			d.errf(n, "too many aliases: the file dereferences more than %d", maxAliases)
		}
		if d.aliases >= maxAliases || n.Alias == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "a YAML document"
}

// field is one key: value pair of a mapping.
type field struct {
	key    string
	keyPos *yaml.Node
	val    *yaml.Node
	merged bool
}

// fields returns the pairs of a mapping in file order, with merge keys (<<)
// expanded in place and overridden by explicit keys. It reports duplicate
// and non-scalar keys. A null node is an empty mapping.
func (d *decoder) fields(n *yaml.Node, what string) []field {
	return d.fieldsDepth(n, what, 0)
}

func (d *decoder) fieldsDepth(n *yaml.Node, what string, depth int) []field {
	n = d.resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "%s: expected a mapping, got %s", what, describe(n))
		return nil
	}
	var out []field
	explicit := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errf(k, "%s: keys must be plain words, got %s", what, describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			if depth >= maxMergeDepth {
				d.errf(k, "%s: merge keys nested too deep", what)
				continue
			}
			for _, src := range d.mergeSources(v) {
				for _, f := range d.fieldsDepth(src, what, depth+1) {
					f.merged = true
					out = append(out, f)
				}
			}
			continue
		}
		if first, dup := explicit[k.Value]; dup {
			d.errf(k, "%s: duplicate key %q (first at line %d)", what, k.Value, first.Line)
			continue
		}
		explicit[k.Value] = k
		out = append(out, field{key: k.Value, keyPos: k, val: v})
	}
	// Explicit keys win over merged ones; the first merged key wins over
	// later merged ones.
	kept := out[:0]
	seen := map[string]bool{}
	for _, f := range out {
		if f.merged && (explicit[f.key] != nil || seen[f.key]) {
			continue
		}
		seen[f.key] = true
		kept = append(kept, f)
	}
	return kept
}

func (d *decoder) mergeSources(v *yaml.Node) []*yaml.Node {
	v = d.resolve(v)
	if v.Kind == yaml.SequenceNode {
		out := make([]*yaml.Node, 0, len(v.Content))
		for _, c := range v.Content {
			out = append(out, d.resolve(c))
		}
		return out
	}
	return []*yaml.Node{v}
}

// object decodes a mapping with a fixed set of keys: it reports unknown keys
// with a suggestion and returns the value of each known key present.
func (d *decoder) object(n *yaml.Node, what string, keys []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for _, f := range d.fields(n, what) {
		if !contains(keys, f.key) {
			d.errf(f.keyPos, "%s: unknown key %q: %s", what, f.key, didYouMean(f.key, keys))
			continue
		}
		out[f.key] = f.val
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalar returns the text of a scalar node; it reports anything else.
func (d *decoder) scalar(n *yaml.Node, what, expected string) (*yaml.Node, string, bool) {
	n = d.resolve(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errf(n, "%s: expected %s, got %s", what, expected, describe(n))
		return n, "", false
	}
	return n, n.Value, true
}

func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	_, s, ok := d.scalar(n, what, "a string")
	return s, ok
}

// path reads an HTTP path, which must start with a slash.
func (d *decoder) path(n *yaml.Node, what string) (string, bool) {
	n, s, ok := d.scalar(n, what, "an HTTP path like /metrics")
	if ok && !strings.HasPrefix(s, "/") {
		d.errf(n, "%s: expected an HTTP path starting with /, got %q", what, s)
		return "", false
	}
	if msg := checkPathText(s); ok && msg != "" {
		d.errf(n, "%s: %s in %q", what, msg, s)
		return "", false
	}
	return s, ok
}

func (d *decoder) integer(n *yaml.Node, what string, lo int) (int, bool) {
	n, s, ok := d.scalar(n, what, "a whole number")
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil {
		d.errf(n, "%s: expected a whole number, got %q", what, s)
		return 0, false
	}
	if v < lo {
		d.errf(n, "%s: must be at least %d, got %d", what, lo, v)
		return 0, false
	}
	return v, true
}

// number reads a finite float within [lo, hi].
func (d *decoder) number(n *yaml.Node, what string, lo, hi float64) (float64, bool) {
	n, s, ok := d.scalar(n, what, "a number")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || v != v || v > 1e300 || v < -1e300 {
		d.errf(n, "%s: expected a number, got %q", what, s)
		return 0, false
	}
	if v < lo || v > hi {
		d.errf(n, "%s: must be between %s and %s, got %s", what, fmtFloat(lo), fmtFloat(hi), s)
		return 0, false
	}
	return v, true
}

// positive reads a number within (0, hi]: a zero is refused, why saying
// what it would do.
func (d *decoder) positive(n *yaml.Node, what string, hi float64, why string) (float64, bool) {
	n = d.resolve(n)
	v, ok := d.number(n, what, 0, hi)
	if ok && v == 0 {
		d.errf(n, "%s: must be greater than 0, got %s: %s", what, n.Value, why)
		return 0, false
	}
	return v, ok
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func (d *decoder) size(n *yaml.Node, what string) (int64, bool) {
	n, s, ok := d.scalar(n, what, "a size like 128MiB")
	if !ok {
		return 0, false
	}
	v, err := ParseSize(s)
	if err != nil {
		d.errf(n, "%s: expected a size like 128MiB, 64KB or 1048576, got %q", what, s)
		return 0, false
	}
	return v, true
}

// duration reads a non-negative duration.
func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	n, s, ok := d.scalar(n, what, "a duration like 10s")
	if !ok {
		return 0, false
	}
	v, err := ParseDuration(s)
	if err != nil {
		d.errf(n, "%s: expected a duration like 500ms, 10s, 1h30m or 1d12h, got %q", what, s)
		return 0, false
	}
	if v < 0 {
		d.errf(n, "%s: must not be negative, got %q", what, s)
		return 0, false
	}
	return v, true
}

// enum reads one of a fixed set of words, case-insensitively, and returns
// it in its listed spelling.
func (d *decoder) enum(n *yaml.Node, what string, values ...string) (string, bool) {
	n, s, ok := d.scalar(n, what, "one of "+strings.Join(values, ", "))
	if !ok {
		return "", false
	}
	for _, v := range values {
		if strings.EqualFold(v, s) {
			return v, true
		}
	}
	d.errf(n, "%s: unknown value %q: %s", what, s, didYouMean(s, values))
	return "", false
}

// list returns the items of a sequence. A null node is an empty list.
func (d *decoder) list(n *yaml.Node, what string) []*yaml.Node {
	n = d.resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errf(n, "%s: expected a list, got %s", what, describe(n))
		return nil
	}
	return n.Content
}

func (d *decoder) strList(n *yaml.Node, what string) []string {
	var out []string
	for i, c := range d.list(n, what) {
		if s, ok := d.str(c, fmt.Sprintf("%s[%d]", what, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

// strMap reads a mapping of strings to scalars; any scalar's text is taken.
func (d *decoder) strMap(n *yaml.Node, what string) (map[string]string, []field) {
	fs := d.fields(n, what)
	if fs == nil {
		return nil, nil
	}
	out := make(map[string]string, len(fs))
	for _, f := range fs {
		if s, ok := d.str(f.val, what+"."+f.key); ok {
			out[f.key] = s
		}
	}
	return out, fs
}

// hasFields reports whether n is a mapping with at least one entry.
func (d *decoder) hasFields(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	r := d.resolve(n)
	return r.Kind == yaml.MappingNode && len(r.Content) > 0
}
