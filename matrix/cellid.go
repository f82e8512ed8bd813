package matrix

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CellID builds the id of a cell: "target/axis=value,..." with every axis
// sorted by name, and "#N" when the matrix repeats cells. Values are
// written as they are except '%', ',', '#', spaces, control characters and
// invalid UTF-8, which are percent-escaped, so an id always splits back
// into its parts. The id depends only on the cell itself: adding other
// cells or values to the matrix leaves it unchanged.
func CellID(target string, axes map[string]string, repeat int) string {
	names := make([]string, 0, len(axes))
	for k := range axes {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(target)
	b.WriteByte('/')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(escapeIDPart(k))
		b.WriteByte('=')
		b.WriteString(escapeIDPart(axes[k]))
	}
	if repeat > 0 {
		b.WriteByte('#')
		b.WriteString(strconv.Itoa(repeat))
	}
	return b.String()
}

func escapeIDPart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '%', r == ',', r == '#', r == ' ', r < 0x20, r == 0x7f:
			for j := 0; j < size; j++ {
				fmt.Fprintf(&b, "%%%02X", s[i+j])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
