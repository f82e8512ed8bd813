package runner

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// madvPopulateWrite (MADV_POPULATE_WRITE, Linux 5.14) faults pages in as a
// write would, without writing: a private file page gets its copy.
const madvPopulateWrite = 23

// errNotFixed is an executable whose globals' addresses are known only
// once it is loaded (position-independent).
var errNotFixed = errors.New("executable is position-independent")

// prefaultGlobals makes the pages of the executable's writable globals
// with pointers (its .data and .bss sections, a few hundred KiB) the
// process's own now, rather than one at a time as each is first written.
//
// Some are written for the first time long into a cell, at random. The
// runtime fills the cache of a type assertion or type switch (a global
// beside the code that asserts) on about one in 1,024 of its misses; a
// contended mutex takes the lock of a semaphore bucket (in .bss) picked by
// its address. Each first write costs a page of RssAnon: a private copy of
// a .data page, or a zeroed .bss page. Two 10-minute, 5,000 RPS
// self-soaks gained one at 130 s, for an assertion in net/http that the
// metrics scrape makes once a second, and others at 161 and 516 s for
// semaphore buckets.
// The pointer-free globals (.noptrdata, .noptrbss: tables, megabytes of
// them) are left alone.
func prefaultGlobals(exe string) error {
	f, err := elf.Open(exe)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		return fmt.Errorf("%s: %w", exe, errNotFixed)
	}
	page := uint64(os.Getpagesize())
	for _, name := range []string{".data", ".bss"} {
		s := f.Section(name)
		if s == nil || s.Size == 0 {
			continue
		}
		lo := s.Addr &^ (page - 1)
		hi := (s.Addr + s.Size + page - 1) &^ (page - 1)
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(lo), uintptr(hi-lo), madvPopulateWrite); errno != 0 {
			return fmt.Errorf("populate %s: %w", name, errno)
		}
	}
	return nil
}
