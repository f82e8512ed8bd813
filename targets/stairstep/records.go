package main

import "sync"

// recordPool reuses record slices in the pooled variant.
type recordPool struct{ p sync.Pool }

// Get returns an empty slice, reused when one is available.
func (r *recordPool) Get() []record {
	if s, ok := r.p.Get().(*[]record); ok {
		return (*s)[:0]
	}
	return make([]record, 0, 1024)
}

// Put clears s (so it retains no buffers) and returns it to the pool.
func (r *recordPool) Put(s []record) {
	clear(s)
	s = s[:0]
	r.p.Put(&s)
}
