// Package probe samples a running target: its process memory from procfs,
// its cgroup accounting, the harness's own RSS, Prometheus metrics the
// target exports and Go heap profiles. One reading is a results.Sample.
package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/soaklab/soaklab/harness/results"
)

// Procs reads process memory from a proc file system, normally /proc; tests
// may point it at a fixture.
//
// The status file read every interval is parsed here, into a reused buffer
// (smallfile), rather than by prometheus/procfs, which made 19 KiB of
// garbage per sample (a target's status and stat and the harness's own
// status) where this makes a few hundred bytes. TestStatusMatchesProcfs
// holds the two parsers to the same values.
type Procs struct {
	root string
}

// NewProcs checks that root is a proc file system (it has self/status).
func NewProcs(root string) (Procs, error) {
	if _, err := os.Stat(filepath.Join(root, "self", "status")); err != nil {
		return Procs{}, fmt.Errorf("proc file system %s: %w", root, err)
	}
	return Procs{root: root}, nil
}

// status reads /proc/<pid>/status.
func (p Procs) status(pid int) (status, error) {
	return readStatus(p.root + "/" + strconv.Itoa(pid) + "/status")
}

// Read fills the process fields of s from /proc/<pid>/status (VmRSS,
// VmHWM, RssAnon, RssFile, Threads). It costs about 20 µs and allocates
// only the open file; the much dearer smaps_rollup (PSS) is deliberately
// not read every interval.
func (p Procs) Read(pid int, s *results.Sample) error {
	st, err := p.status(pid)
	if err != nil {
		return err
	}
	s.RSS, s.RSSPeak = st.VmRSS, st.VmHWM
	s.RSSAnon, s.RSSFile = st.RssAnon, st.RssFile
	s.Threads = st.Threads
	return nil
}

// RSS reads a process's resident set size and the anonymous part of it
// (RssAnon: heap and stacks, without the pages of mapped files such as its
// own executable).
func (p Procs) RSS(pid int) (rss, anon int64, err error) {
	st, err := p.status(pid)
	if err != nil {
		return 0, 0, err
	}
	return st.VmRSS, st.RssAnon, nil
}
