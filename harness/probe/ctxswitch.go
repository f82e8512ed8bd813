package probe

import (
	"os"
	"strconv"
)

// ctxSwitches totals the context switches of a target's processes across
// readings: voluntary_ctxt_switches and nonvoluntary_ctxt_switches of
// every thread (/proc/<pid>/task/<tid>/status). The kernel keeps them per
// thread and forgets a thread's counts when it exits, so a plain sum over
// the live threads would fall each time a thread ends. ctxSwitches keeps
// each thread's last reading and adds only what each gained since, so the
// totals never fall; a thread that ends between two readings loses what it
// did after the first of them, a tid reused by a new thread counts from 0.
type ctxSwitches struct {
	last                    map[int][2]int64 // tid → counts at its last reading
	seen                    map[int][2]int64 // this reading's, swapped in at its end
	voluntary, nonvoluntary int64
	ok                      bool // a thread has been read at least once
}

// read adds what the threads of pids gained since the last reading and
// returns the totals; ok is false while no thread could be read.
func (c *ctxSwitches) read(p Procs, pids []int) (voluntary, nonvoluntary int64, ok bool) {
	if c.last == nil {
		c.last, c.seen = map[int][2]int64{}, map[int][2]int64{}
	}
	clear(c.seen)
	for _, pid := range pids {
		dir := p.root + "/" + strconv.Itoa(pid) + "/task"
		tasks, err := os.ReadDir(dir)
		if err != nil {
			continue // gone, or not ours to read
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			st, err := readStatus(dir + "/" + t.Name() + "/status")
			if err != nil {
				continue
			}
			now := [2]int64{st.Voluntary, st.Nonvoluntary}
			before, known := c.last[tid]
			for i := range now {
				gain := now[i]
				if known && now[i] >= before[i] {
					gain = now[i] - before[i]
				}
				if i == 0 {
					c.voluntary += gain
				} else {
					c.nonvoluntary += gain
				}
			}
			c.seen[tid] = now
			c.ok = true
		}
	}
	c.last, c.seen = c.seen, c.last
	return c.voluntary, c.nonvoluntary, c.ok
}
