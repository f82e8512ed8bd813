#!/usr/bin/env bash
# kernel.sh DIR: put a cgroup v2 capable kernel for the test VM in DIR, from
# Debian's packages: DIR/vmlinuz, DIR/version, DIR/config and the few modules
# the VM loads (DIR/modules/brd.ko: a RAM block device for a disk-backed file
# system, so file pages can be evicted and read back). Nothing else is
# downloaded. Does nothing when DIR already holds them.
#
# The package is Debian's cloud kernel (CONFIG_MEMCG, CONFIG_PSI, devtmpfs and
# initrd support built in, small). SOAKLAB_VM_KERNEL_PKG names another one
# (e.g. linux-image-6.12-cloud-amd64, a meta-package: its dependency is taken).
set -euo pipefail
dir=${1:?usage: kernel.sh DIR}
if [[ -s $dir/vmlinuz && -s $dir/version && -s $dir/modules/brd.ko ]]; then
	exit 0
fi
pkg=${SOAKLAB_VM_KERNEL_PKG:-linux-image-cloud-amd64}
command -v apt-get >/dev/null || { echo "kernel.sh: apt-get not found: the VM kernel comes from Debian's $pkg" >&2; exit 1; }
# A meta-package depends on the versioned image: take that.
real=$(apt-cache depends "$pkg" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
real=${real:-$pkg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# apt-get download writes to the current directory; the _apt user cannot
# write a root-owned temporary directory, which only costs a warning.
(cd "$work" && apt-get download -q "$real" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
deb=$(ls "$work"/*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || { echo "kernel.sh: apt-get download $real failed (run apt-get update?)" >&2; exit 1; }
dpkg-deb -x "$deb" "$work/x"
vmlinuz=$(ls "$work"/x/boot/vmlinuz-* | head -1)
version=${vmlinuz##*/vmlinuz-}
brd=$(find "$work/x/lib/modules/$version" -name 'brd.ko*' | head -1)
[[ $brd == *.ko ]] || { echo "kernel.sh: $real has no uncompressed brd.ko (found '${brd:-nothing}')" >&2; exit 1; }
mkdir -p "$dir/modules"
cp "$vmlinuz" "$dir/vmlinuz.tmp"
cp "$work/x/boot/config-$version" "$dir/config"
cp "$brd" "$dir/modules/brd.ko"
mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
echo "$version" >"$dir/version"
echo "kernel.sh: $real ($version) in $dir"
