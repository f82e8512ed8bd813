package probe

import (
	"bytes"
	"fmt"

	"github.com/soaklab/soaklab/harness/internal/smallfile"
)

// status is what the harness reads from /proc/<pid>/status each interval,
// in bytes (the file gives kB) and threads, and the context switches of
// the task it describes (a thread's own: the kernel does not sum them over
// a process's threads).
type status struct {
	VmRSS, VmHWM, RssAnon, RssFile, Threads int64
	Voluntary, Nonvoluntary                 int64
}

// readStatus reads and parses the status file at path. It allocates only
// the open file.
func readStatus(path string) (status, error) {
	var st status
	err := smallfile.Read(path, func(b []byte) error {
		var err error
		if st, err = parseStatus(b); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return status{}, err // smallfile's errors name the path already
	}
	return st, nil
}

// parseStatus parses the lines of a status file ("VmRSS:\t  1234 kB").
// A kernel thread or a zombie has no Vm lines: they read as zero. It fails
// on a kept line whose value is not a number.
func parseStatus(b []byte) (status, error) {
	var st status
	for line := range bytes.Lines(b) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var at *int64
		kB := true
		switch string(key) {
		case "VmRSS":
			at = &st.VmRSS
		case "VmHWM":
			at = &st.VmHWM
		case "RssAnon":
			at = &st.RssAnon
		case "RssFile":
			at = &st.RssFile
		case "Threads":
			at, kB = &st.Threads, false
		case "voluntary_ctxt_switches":
			at, kB = &st.Voluntary, false
		case "nonvoluntary_ctxt_switches":
			at, kB = &st.Nonvoluntary, false
		default:
			continue
		}
		val = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(val), []byte("kB")))
		n, ok := smallfile.ParseInt(val)
		if !ok || n < 0 {
			return status{}, fmt.Errorf("%s: %q is not a number", key, val)
		}
		if kB {
			n *= 1024
		}
		*at = n
	}
	return st, nil
}
