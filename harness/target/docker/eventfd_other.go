//go:build !linux

package docker

import "errors"

// eventfd fails off Linux, which has no cgroup notifications: the watcher
// then polls the cgroup's files alone.
func eventfd() (int, error) {
	return -1, errors.New("eventfd needs Linux")
}

// inotifyModify fails off Linux: the watcher polls alone.
func inotifyModify(string) (int, error) {
	return -1, errors.New("inotify needs Linux")
}
