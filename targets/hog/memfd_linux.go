package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// memfd opens an anonymous memory file; exec reads it through /proc.
func memfd() (*os.File, string, error) {
	fd, err := unix.MemfdCreate(codeName, unix.MFD_CLOEXEC) // an ELF exec reads it before the close
	if err != nil {
		return nil, "", fmt.Errorf("memfd_create: %w", err)
	}
	return os.NewFile(uintptr(fd), codeName), "", nil
}
