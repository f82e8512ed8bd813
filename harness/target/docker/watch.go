package docker

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// burstFor and burstEvery shape the fast reads after an OOM notification:
// the kernel notifies before it kills, and the engine removes the cgroup
// some milliseconds after the kill, so the oom_kill counter must be read in
// that window.
const (
	burstFor   = 250 * time.Millisecond
	burstEvery = time.Millisecond
)

// watcher reads a container's cgroup in the background and keeps the last
// reading, the highest peak and the highest oom_kill count seen: the engine
// removes the cgroup the moment the container exits, taking those numbers
// with it. It reads every interval, and the kernel wakes it as soon as the
// cgroup runs out of memory: on v1 an eventfd on memory.oom_control, on v2
// inotify on memory.events (modified at every max, oom and oom_kill event),
// so an OOM kill is caught between two polls.
type watcher struct {
	v     cgroup.Version
	dir   string
	every time.Duration

	mu   sync.Mutex
	last target.Memory
	peak int64
	oom  int64
	gone bool

	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once

	notified atomic.Int64 // kernel notifications received (tests)
}

func newWatcher(v cgroup.Version, dir string, every time.Duration) *watcher {
	w := &watcher{v: v, dir: dir, every: every, stop: make(chan struct{}), stopped: make(chan struct{})}
	// Register for the kernel's notifications before the first read, so
	// that nothing after it goes unnoticed.
	notify := make(chan struct{}, 1)
	register := oomEventV1
	if v == cgroup.V2 {
		register = oomEventV2
	}
	closeFn, err := register(dir, notify)
	if err != nil {
		closeFn = func() {}
	}
	w.read()
	go w.run(notify, closeFn)
	return w
}

func (w *watcher) run(notify <-chan struct{}, closeFn func()) {
	defer close(w.stopped)
	defer closeFn()
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			if !w.read() {
				return
			}
		case <-notify:
			w.notified.Add(1)
			if !w.burst() {
				return
			}
		}
	}
}

// burst reads quickly until the oom_kill counter moves or the cgroup goes.
func (w *watcher) burst() bool {
	before := w.snapshot().OOMKills
	end := time.Now().Add(burstFor)
	for time.Now().Before(end) {
		if !w.read() {
			return false
		}
		if w.snapshot().OOMKills > before {
			return true
		}
		time.Sleep(burstEvery)
	}
	return true
}

// read takes one reading; false once the cgroup is gone.
func (w *watcher) read() bool {
	m, err := cgroup.ReadMemory(w.v, w.dir)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		if _, serr := os.Stat(w.dir); serr != nil {
			w.gone = true
			return false
		}
		return true
	}
	w.peak = max(w.peak, m.Peak, m.Usage)
	w.oom = max(w.oom, m.OOMKills)
	m.Peak, m.OOMKills = w.peak, w.oom
	w.last = m
	return true
}

// snapshot is the last reading with the highest peak and oom_kill seen.
func (w *watcher) snapshot() target.Memory {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// close stops the background reads after one last attempt.
func (w *watcher) close() {
	w.once.Do(func() {
		close(w.stop)
		<-w.stopped
		w.read()
	})
}

// oomEventV1 registers an eventfd for the v1 cgroup's OOM notifications
// (cgroup.event_control) and signals notify on each one. The kernel also
// signals when the cgroup is removed; the reads that follow tell the two
// apart.
func oomEventV1(dir string, notify chan<- struct{}) (func(), error) {
	efd, err := eventfd()
	if err != nil {
		return nil, err
	}
	ev := os.NewFile(uintptr(efd), "oom-eventfd") // non-blocking: pollable, Close unblocks Read
	oc, err := os.Open(filepath.Join(dir, "memory.oom_control"))
	if err != nil {
		ev.Close()
		return nil, err
	}
	defer oc.Close() // the kernel holds its own reference once registered
	line := []byte(strconv.Itoa(efd) + " " + strconv.Itoa(int(oc.Fd())))
	ctl, err := os.OpenFile(filepath.Join(dir, "cgroup.event_control"), os.O_WRONLY, 0)
	if err == nil {
		_, err = ctl.Write(line)
		ctl.Close()
	}
	if err != nil {
		ev.Close()
		return nil, err
	}
	go func() {
		buf := make([]byte, 8)
		for {
			if _, err := ev.Read(buf); err != nil {
				return
			}
			select {
			case notify <- struct{}{}:
			default:
			}
		}
	}()
	return func() { ev.Close() }, nil
}

// oomEventV2 watches the v2 cgroup's memory.events with inotify and
// signals notify on each change: cgroup v2 reports its file changes as
// IN_MODIFY, and memory.events changes when the cgroup hits its limit, the
// OOM killer runs, and it kills. The watch ends when the cgroup is removed
// (IN_IGNORED), which also signals; the reads that follow tell it apart.
func oomEventV2(dir string, notify chan<- struct{}) (func(), error) {
	fd, err := inotifyModify(filepath.Join(dir, "memory.events"))
	if err != nil {
		return nil, err
	}
	in := os.NewFile(uintptr(fd), "memory.events-inotify") // non-blocking: pollable, Close unblocks Read
	go func() {
		buf := make([]byte, 4096) // whole events; their contents do not matter
		for {
			if _, err := in.Read(buf); err != nil {
				return
			}
			select {
			case notify <- struct{}{}:
			default:
			}
		}
	}()
	return func() { in.Close() }, nil
}
