package cgroup

import "golang.org/x/sys/unix"

// writable reports whether this user may write path (access(2), W_OK).
func writable(path string) bool {
	return unix.Access(path, unix.W_OK) == nil
}
