//go:build unix

package supervise

import (
	"os/exec"
	"syscall"
)

// signalOf names the signal that ended the child, or "".
func signalOf(e *exec.ExitError) string {
	if ws, ok := e.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal().String()
	}
	return ""
}
