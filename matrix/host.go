package matrix

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadOption is an option of Load.
type LoadOption func(*loadOptions)

type loadOptions struct {
	host bool
	dir  string
}

// CheckHost makes Load check what only this machine knows: that the
// program of every command a process target runs exists (on PATH, or as a
// path relative to the matrix) and is executable, and that every body_file
// exists and is no larger than MaxBodySize.
func CheckHost() LoadOption { return func(o *loadOptions) { o.host = true } }

// CheckHostAt is CheckHost with relative paths resolved against dir, the
// matrix's directory, when the path given to Parse is not usable from the
// working directory.
func CheckHostAt(dir string) LoadOption {
	return func(o *loadOptions) { o.host, o.dir = true, dir }
}

// host is what Load checks on the machine: programs and files the matrix
// names. Paths relative to the matrix resolve against dir.
type host struct {
	dir      string
	lookPath func(string) (string, error)
	stat     func(string) (fs.FileInfo, error)
}

func osHost(dir string) *host {
	return &host{dir: dir, lookPath: exec.LookPath, stat: os.Stat}
}

func (h *host) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(h.dir, p)
}

// commandExists reports a command whose program is neither on PATH (a bare
// name) nor a file (a path, relative to the matrix). A program written as a
// template is left to the run.
func (d *decoder) commandExists(n *yaml.Node, what string, cmd []string) {
	if d.host == nil || len(cmd) == 0 || cmd[0] == "" || strings.Contains(cmd[0], "{{") {
		return
	}
	prog := cmd[0]
	if !strings.Contains(prog, "/") {
		if _, err := d.host.lookPath(prog); err != nil {
			d.errf(n, "%s: program %q is not on PATH", what, prog)
		}
		return
	}
	st, err := d.host.stat(d.host.resolve(prog))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.errf(n, "%s: program %s does not exist (relative paths start at the matrix's directory)", what, prog)
	case err != nil:
		d.errf(n, "%s: program %s: %v", what, prog, err)
	case st.IsDir():
		d.errf(n, "%s: program %s is a directory", what, prog)
	case st.Mode()&0o111 == 0:
		d.errf(n, "%s: program %s is not executable", what, prog)
	}
}

// buildExists reports a build path (./x, ../x, /x) that is not a folder;
// an import path is left to go build.
func (d *decoder) buildExists(n *yaml.Node, what, p string) {
	if d.host == nil || !(p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || filepath.IsAbs(p)) {
		return
	}
	st, err := d.host.stat(d.host.resolve(p))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.errf(n, "%s: no package folder %s (relative paths start at the matrix's directory)", what, p)
	case err != nil:
		d.errf(n, "%s: %v", what, err)
	case !st.IsDir():
		d.errf(n, "%s: %s is a file: build names a package folder", what, p)
	}
}

// bodyFile reports a body_file that does not exist, is not a regular file
// or is larger than MaxBodySize.
func (d *decoder) bodyFile(n *yaml.Node, what, p string) {
	if d.host == nil || p == "" {
		return
	}
	st, err := d.host.stat(d.host.resolve(p))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.errf(n, "%s: %s does not exist (relative paths start at the matrix's directory)", what, p)
	case err != nil:
		d.errf(n, "%s: %v", what, err)
	case !st.Mode().IsRegular():
		d.errf(n, "%s: %s is not a regular file", what, p)
	case st.Size() > MaxBodySize:
		d.errf(n, "%s: %s is %s, more than a body may be (%s: the driver holds it in memory)", what, p, FormatSize(st.Size()), FormatSize(MaxBodySize))
	}
}
