// Package vm runs soaklab's cgroup v2 tests in a virtual machine: a Debian
// cloud kernel under qemu's software emulation, with an initramfs of busybox
// and static Go binaries (see vmtest). `make test-cgroup2` runs them; each
// boot prints the guest's kernel and cgroup.controllers.
package vm
