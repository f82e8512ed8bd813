//go:build !unix

package progress

import "io"

// TerminalWidth returns 0 where soaklab has no terminal size call: lines
// are left whole.
func TerminalWidth(w io.Writer) int { return 0 }
