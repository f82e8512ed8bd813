package process

import (
	"github.com/prometheus/procfs"
)

// readRSS reads a process's resident set size from procfs.
func readRSS(procRoot string, pid int) (int64, error) {
	fs, err := procfs.NewFS(procRoot)
	if err != nil {
		return 0, err
	}
	p, err := fs.Proc(pid)
	if err != nil {
		return 0, err
	}
	st, err := p.NewStatus()
	if err != nil {
		return 0, err
	}
	return int64(st.VmRSS), nil
}
