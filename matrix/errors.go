package matrix

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors. Functions wrap them with the offending value, so callers
// can test with errors.Is and users still see what was wrong.
var (
	// ErrInvalid is matched (errors.Is) by every Errors value: the matrix
	// file is bad, as opposed to unreadable. The CLI exits with status 2.
	ErrInvalid = errors.New("invalid matrix")
	// ErrSize is wrapped by ParseSize.
	ErrSize = errors.New("invalid size")
	// ErrDuration is wrapped by ParseDuration.
	ErrDuration = errors.New("invalid duration")
	// ErrShard is wrapped by ParseShard.
	ErrShard = errors.New("invalid shard")
	// ErrExpand is wrapped by Expand when a matrix cannot be expanded.
	ErrExpand = errors.New("cannot expand matrix")
)

// Error is one problem in a matrix file, at a position when it has one.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the problem has no single position
	Column int // 1-based; 0 when unknown
	Msg    string
}

// Error formats the problem as "file:line:col: msg", the form editors and
// terminals turn into links. Unknown parts are left out.
func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, "%d:", e.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a matrix file, in file order.
type Errors []Error

// Error joins the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, ErrInvalid) true for every Errors value.
func (es Errors) Is(target error) bool { return target == ErrInvalid }

// sorted returns the problems ordered by position, keeping the order of
// problems at the same position, and without exact duplicates.
func (es Errors) sorted() Errors {
	out := make(Errors, 0, len(es))
	seen := make(map[Error]bool, len(es))
	for _, e := range es {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}
