package supervise

import "syscall"

// childAttr puts the child in its own process group (a terminal's Ctrl-C
// reaches the supervisor, which forwards it once) and has the kernel kill
// it if the supervisor dies.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
