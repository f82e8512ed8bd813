package main

import (
	"math/bits"
	"sync"
)

// Size classes of the pooled variant: powers of two from minClass to
// maxClass. A buffer is taken from the smallest class that holds the request.
const (
	minClass = 32 << 10
	maxClass = 64 << 20
)

// bufPool is a set of sync.Pools, one per power-of-two size class.
type bufPool struct {
	classes []sync.Pool
}

func newBufPool() *bufPool {
	n := bits.Len(uint(maxClass / minClass)) // classes minClass..maxClass
	return &bufPool{classes: make([]sync.Pool, n)}
}

// class returns the index and size of the smallest class holding n bytes.
func class(n int) (int, int) {
	size, i := minClass, 0
	for size < n {
		size <<= 1
		i++
	}
	return i, size
}

// Get returns a buffer of length n whose capacity is n's size class.
func (p *bufPool) Get(n int) []byte {
	i, size := class(n)
	if i >= len(p.classes) {
		return make([]byte, n)
	}
	if b, ok := p.classes[i].Get().(*[]byte); ok {
		return (*b)[:n]
	}
	return make([]byte, n, size)
}

// Put returns b to its class; buffers of an odd capacity are dropped.
func (p *bufPool) Put(b []byte) {
	i, size := class(cap(b))
	if i >= len(p.classes) || size != cap(b) {
		return
	}
	b = b[:0]
	p.classes[i].Put(&b)
}
