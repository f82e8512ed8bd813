package docker

import "golang.org/x/sys/unix"

// eventfd opens a non-blocking eventfd for the v1 cgroup's OOM
// notifications.
func eventfd() (int, error) {
	return unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
}
