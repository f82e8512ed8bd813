//go:build unix

package progress

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// TerminalWidth returns the column count of the terminal w writes to, or 0
// when w is not a terminal or its size is unknown (pass the result to
// WithWidth; 0 leaves lines whole).
func TerminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
