package vmtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Image is the initramfs of a test VM: busybox, an /init that mounts the
// cgroup v2 hierarchy and runs the steps, and the files a test adds (static
// binaries, matrices, modules). It is kept in memory until written.
type Image struct {
	files map[string]file // by guest path, absolute
}

type file struct {
	mode uint32 // permission bits; modeSymlink for a symlink
	data []byte // contents, or a symlink's target
	host string // read from here when data is nil
}

// NewImage starts an image holding busybox (a static binary: on Debian,
// busybox-static's /bin/busybox) as /bin/busybox and /bin/sh.
func NewImage(busybox string) *Image {
	im := &Image{files: map[string]file{}}
	im.Add("/bin/busybox", busybox, 0o755)
	im.Symlink("/bin/sh", "busybox")
	return im
}

// Add copies the host file into the image at guest.
func (im *Image) Add(guest, host string, perm uint32) {
	im.files[path.Clean(guest)] = file{mode: perm, host: host}
}

// Bytes puts data into the image at guest.
func (im *Image) Bytes(guest string, data []byte, perm uint32) {
	im.files[path.Clean(guest)] = file{mode: perm, data: data}
}

// Symlink adds a symbolic link at guest pointing to target.
func (im *Image) Symlink(guest, target string) {
	im.files[path.Clean(guest)] = file{mode: modeSymlink, data: []byte(target)}
}

// Write writes the image as dir/initrd-<hash>.cpio, where the hash covers
// every entry, and returns its path; an image with the same contents already
// there is reused. Older images in dir are removed.
func (im *Image) Write(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	names := make([]string, 0, len(im.files))
	for n := range im.files {
		names = append(names, n)
	}
	sort.Strings(names)
	contents := make([][]byte, len(names))
	h := sha256.New()
	for i, n := range names {
		f := im.files[n]
		data := f.data
		if data == nil && f.host != "" {
			b, err := os.ReadFile(f.host)
			if err != nil {
				return "", fmt.Errorf("initramfs %s: %w", n, err)
			}
			data = b
		}
		contents[i] = data
		fmt.Fprintf(h, "%s %o %d\n", n, f.mode, len(data))
		h.Write(data)
	}
	out := filepath.Join(dir, "initrd-"+hex.EncodeToString(h.Sum(nil))[:16]+".cpio")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	tmp, err := os.CreateTemp(dir, ".initrd-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	c := &cpio{w: tmp}
	c.entry("dev", modeDir|0o755, nil, 0, 0)
	c.entry("dev/console", modeChar|0o600, nil, 5, 1) // the kernel opens it before /init runs
	made := map[string]bool{"dev": true}
	for i, n := range names {
		rel := strings.TrimPrefix(n, "/")
		// Parents first, outermost first.
		var parents []string
		for d := path.Dir(rel); d != "." && !made[d]; d = path.Dir(d) {
			parents = append(parents, d)
		}
		for j := len(parents) - 1; j >= 0; j-- {
			c.entry(parents[j], modeDir|0o755, nil, 0, 0)
			made[parents[j]] = true
		}
		f := im.files[n]
		mode := modeFile | f.mode
		if f.mode == modeSymlink {
			mode = modeSymlink | 0o777
		}
		c.entry(rel, mode, contents[i], 0, 0)
	}
	if err := c.close(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "initrd-*.cpio"))
	for _, o := range old {
		os.Remove(o)
	}
	return out, os.Rename(tmp.Name(), out)
}
