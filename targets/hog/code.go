package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Where the hog's own code lives while it grows (HOG_CODE).
const (
	CodeMemory = "memory" // default: re-exec from a memfd, so nothing is reclaimable
	CodeDisk   = "disk"   // run from the executable file as started
)

// memfdName names the memfd the hog re-executes from; /proc/self/exe reads
// "/memfd:<name> (deleted)" afterwards, which is how the second start knows.
const memfdName = "soaklab-hog"

// inMemory makes a hog's OOM kill certain. Under a cgroup limit with no
// swap the kernel kills only when reclaim frees nothing; while the pages of
// the hog's executable are charged to its own cgroup (a cold page cache, a
// freshly started container), reclaim keeps evicting that code, the hog
// keeps faulting it back in, and it thrashes at the limit instead of dying.
// Code copied into a memfd is shmem, which only swap can reclaim: the
// limit is then met by a kill. With HOG_CODE=disk the hog stays on its
// file and can thrash: the case soaklab's thrash criterion reports.
//
// It re-executes in place (same pid, same cgroup) and returns only when it
// does not: HOG_CODE=disk, already in memory, or a step failed (the reason
// goes to stderr and the hog runs from disk).
func inMemory(lookup func(string) (string, bool), stderr io.Writer) {
	if mode, ok := lookup("HOG_CODE"); ok && !strings.EqualFold(mode, CodeMemory) {
		return // disk, or a bad value setup reports with the other knobs
	}
	if exe, err := os.Readlink("/proc/self/exe"); err == nil && strings.HasPrefix(exe, "/memfd:"+memfdName) {
		return
	}
	if err := reexecFromMemory(); err != nil {
		fmt.Fprintf(stderr, "hog: running from disk (HOG_CODE=memory failed: %v)\n", err)
	}
}

// reexecFromMemory copies the executable into a memfd and execs it; it
// returns only on failure.
func reexecFromMemory() error {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return err
	}
	defer src.Close()
	fd, err := unix.MemfdCreate(memfdName, unix.MFD_CLOEXEC) // an ELF exec reads it before the close
	if err != nil {
		return fmt.Errorf("memfd_create: %w", err)
	}
	dst := os.NewFile(uintptr(fd), memfdName)
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		return fmt.Errorf("copy executable: %w", err)
	}
	path := fmt.Sprintf("/proc/self/fd/%d", fd)
	return fmt.Errorf("exec %s: %w", path, unix.Exec(path, os.Args, os.Environ()))
}
