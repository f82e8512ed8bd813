package results

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes untrusted text safe to print on a terminal or embed in a
// report: everything a target writes (its log, crash details, metric
// names, profile symbol names) may carry escape sequences that set a
// terminal's title, move its cursor or overwrite soaklab's own lines.
// Control characters (C0 but tab, DEL, C1), bidirectional overrides and
// invalid UTF-8 are replaced by their escaped spelling (`\x1b`, `\u202e`),
// and a newline by `\n`, so the text stays on one line and readable. Text
// without them is returned as is.
func Printable(s string) string { return printable(s, false) }

// PrintableLines is Printable for text of several lines (a report page, a
// log excerpt): newlines are kept.
func PrintableLines(s string) string { return printable(s, true) }

func printable(s string, lines bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r) && !(lines && (r == '\n' || r == '\r')) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case lines && (r == '\n' || r == '\r'):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports a rune a terminal may act on instead of showing.
func unsafeRune(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional controls: text that reads other than it is
	}
	return unicode.Is(unicode.Cc, r)
}
