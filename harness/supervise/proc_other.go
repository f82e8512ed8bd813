//go:build !linux

package supervise

import "syscall"

// childAttr is the default elsewhere: soaklab runs targets on Linux only.
func childAttr() *syscall.SysProcAttr { return nil }
