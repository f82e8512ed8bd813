package main

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// pageSize is the stride at which record writes, so every page is resident.
const pageSize = 4096

// monitor watches a runner and keeps what it sees, forever.
type monitor struct {
	mu      sync.Mutex
	samples [][]byte
	leaked  prometheus.Counter
}

// watch never returns: the samples channel is never closed.
func (m *monitor) watch(samples <-chan int) {
	for n := range samples {
		m.record(n)
	}
}

// record allocates n bytes, writes every page of them and retains them.
// This is the allocation site a heap-profile diff should name.
func (m *monitor) record(n int) {
	buf := make([]byte, n)
	for i := 0; i < n; i += pageSize {
		buf[i] = byte(i/pageSize) | 1
	}
	if n > 0 {
		buf[n-1] = 1
	}
	m.mu.Lock()
	m.samples = append(m.samples, buf)
	m.mu.Unlock()
	m.leaked.Add(float64(n))
}

// retained is the number of bytes the monitor holds.
func (m *monitor) retained() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	total := 0
	for _, s := range m.samples {
		total += len(s)
	}
	return total
}
