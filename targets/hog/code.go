package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Where the hog's own code lives while it grows (HOG_CODE).
//
// Under a cgroup limit with no swap the kernel OOM-kills only when reclaim
// frees nothing. While the pages of a process's executable are charged to
// its own cgroup (a cold page cache, a freshly started container), reclaim
// evicts that code instead, the process reads it back from disk, and it
// thrashes at the limit, barely running, rather than dying.
const (
	// CodeMemory (the default) re-executes from a memfd: shmem, which only
	// swap reclaims, so the limit is met by a kill.
	CodeMemory = "memory"
	// CodeDisk runs from the executable as started: killed when its pages
	// are charged elsewhere (the usual warm cache), thrashing when not.
	CodeDisk = "disk"
	// CodeCopy re-executes from a fresh copy written by the hog itself,
	// whose page cache is charged to the hog's own cgroup: the cold case,
	// made certain. It thrashes at the limit under load.
	CodeCopy = "copy"
)

// codeName prefixes the memfd and the copy; /proc/self/exe names one of
// them after the re-exec, which is how the second start knows.
const codeName = "soaklab-hog"

// relocate moves the hog's code where HOG_CODE says, re-executing in place
// (same pid, same cgroup). It returns when it does not re-execute: disk,
// already moved, a bad value (setup reports it with the other knobs), or a
// step failed (the reason goes to stderr and the hog runs from disk).
func relocate(lookup func(string) (string, bool), stderr io.Writer) {
	mode, ok := lookup("HOG_CODE")
	if !ok {
		mode = CodeMemory
	}
	exe, _ := os.Readlink("/proc/self/exe")
	if strings.HasPrefix(exe, "/memfd:"+codeName) {
		return
	}
	if strings.HasPrefix(filepath.Base(exe), codeName) {
		os.Remove(exe) // the copy: mapped, so it lives until the hog exits
		return
	}
	var err error
	switch strings.ToLower(mode) {
	case CodeMemory:
		err = reexec(memfd)
	case CodeCopy:
		err = reexec(tempCopy)
	default:
		return
	}
	fmt.Fprintf(stderr, "hog: running from disk (HOG_CODE=%s failed: %v)\n", mode, err)
}

// reexec copies the executable into the file open returns and execs it;
// it returns only on failure.
func reexec(open func() (*os.File, string, error)) error {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return err
	}
	defer src.Close()
	dst, path, err := open()
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		return fmt.Errorf("copy executable: %w", err)
	}
	if err := dst.Sync(); err != nil { // written back, so reclaim can drop it
		return err
	}
	file := path != ""
	if file { // close it, or exec fails with ETXTBSY
		if err := dst.Close(); err != nil {
			return err
		}
	} else {
		path = fmt.Sprintf("/proc/self/fd/%d", dst.Fd())
	}
	err = unix.Exec(path, os.Args, os.Environ())
	if file {
		os.Remove(path)
	}
	return fmt.Errorf("exec %s: %w", path, err)
}

// tempCopy creates an executable file in the temporary directory.
func tempCopy() (*os.File, string, error) {
	f, err := os.CreateTemp("", codeName+"-*")
	if err != nil {
		return nil, "", err
	}
	if err := f.Chmod(0o700); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, "", err
	}
	return f, f.Name(), nil
}
