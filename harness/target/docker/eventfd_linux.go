package docker

import "golang.org/x/sys/unix"

// eventfd opens a non-blocking eventfd for the v1 cgroup's OOM
// notifications.
func eventfd() (int, error) {
	return unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
}

// inotifyModify opens a non-blocking inotify descriptor watching path for
// changes (and its removal): how cgroup v2 reports its files' events.
func inotifyModify(path string) (int, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return -1, err
	}
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_MODIFY|unix.IN_DELETE_SELF); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
