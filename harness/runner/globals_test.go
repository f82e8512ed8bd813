package runner

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"syscall"
	"testing"
)

// privatePages counts the pages in [lo, hi) that are present and the
// process's own (not a file's page, not shared), from /proc/self/pagemap.
func privatePages(t *testing.T, lo, hi uint64) (own, all int) {
	t.Helper()
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Skip("no pagemap:", err)
	}
	defer f.Close()
	page := uint64(os.Getpagesize())
	lo, hi = lo&^(page-1), (hi+page-1)&^(page-1)
	buf := make([]byte, (hi-lo)/page*8)
	if _, err := f.ReadAt(buf, int64(lo/page*8)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(buf); i += 8 {
		e := binary.LittleEndian.Uint64(buf[i:])
		const present, fileOrShared = 1 << 63, 1 << 61
		if e&present != 0 && e&fileOrShared == 0 {
			own++
		}
		all++
	}
	return own, all
}

// After prefaultGlobals every page of .data and .bss is present and the
// process's own: none waits for a first write to be copied or zeroed.
func TestPrefaultGlobals(t *testing.T) {
	err := prefaultGlobals("/proc/self/exe")
	if errors.Is(err, errNotFixed) || errors.Is(err, syscall.EINVAL) {
		t.Skip("cannot prefault here:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, name := range []string{".data", ".bss"} {
		s := f.Section(name)
		if s == nil {
			t.Fatalf("test binary has no %s", name)
		}
		if own, all := privatePages(t, s.Addr, s.Addr+s.Size); own != all {
			t.Errorf("%s: %d of %d pages the process's own after prefaulting", name, own, all)
		}
	}
}

// An executable that is not one is an error, not a crash.
func TestPrefaultGlobalsNotELF(t *testing.T) {
	if err := prefaultGlobals("globals_test.go"); err == nil {
		t.Fatal("prefaulted a source file")
	}
}
