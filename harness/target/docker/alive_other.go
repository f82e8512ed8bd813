//go:build !unix

package docker

import "os"

// alive reports whether pid is a running process: where there are no
// signals (Windows), whether the system finds it.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
