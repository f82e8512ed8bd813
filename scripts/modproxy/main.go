// Command modproxy makes a Go module proxy in a directory from this checkout,
// so that `go install github.com/soaklab/soaklab/harness/cmd/soaklab@<version>`
// can be tried as a user would run it, with no network and nothing published:
//
//	go run ./scripts/modproxy -o /tmp/proxy            # prints the version it wrote
//	GOPROXY=file:///tmp/proxy,file://$(go env GOMODCACHE)/cache/download \
//	  GONOSUMDB=github.com/soaklab/soaklab GOFLAGS=-mod=mod \
//	  go install github.com/soaklab/soaklab/harness/cmd/soaklab@<version>
//
// The proxy holds only soaklab (list, .info, .mod, .zip under
// github.com/soaklab/soaklab/@v/); its dependencies come from the local
// module cache's download directory, which has the proxy's layout. The
// module's own checksum is not in the public checksum database, hence
// GONOSUMDB for it alone; every dependency is still checked against go.sum.
//
// The zip holds the checkout's files as git sees them: tracked files, and
// untracked ones that are not ignored (-rev names a commit instead). The
// default version is the pseudo-version of HEAD
// (v0.0.0-<commit time>-<12 hex>); -version v0.1.0 serves it as a tag.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

func main() {
	out := flag.String("o", "", "proxy directory to write (created; other versions in it are kept)")
	repo := flag.String("C", ".", "root of the module's git checkout")
	version := flag.String("version", "", "version to serve (default: HEAD's pseudo-version)")
	rev := flag.String("rev", "", "commit to serve (default: the working tree's files)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "Usage: go run ./scripts/modproxy -o <dir> [-version v0.1.0] [-rev <commit>]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	v, err := write(*out, *repo, *version, *rev)
	if err != nil {
		fmt.Fprintln(os.Stderr, "modproxy:", err)
		os.Exit(1)
	}
	fmt.Println(v)
}

// write adds one version of the module at repo to the proxy directory out
// and returns the version.
func write(out, repo, version, rev string) (string, error) {
	repo, err := filepath.Abs(repo)
	if err != nil {
		return "", err
	}
	commit := rev
	if commit == "" {
		commit = "HEAD"
	}
	hash, err := git(repo, "rev-parse", "--verify", commit+"^{commit}")
	if err != nil {
		return "", err
	}
	stamp, err := git(repo, "log", "-1", "--format=%ct", hash)
	if err != nil {
		return "", err
	}
	var secs int64
	if _, err := fmt.Sscan(stamp, &secs); err != nil {
		return "", fmt.Errorf("commit time %q: %w", stamp, err)
	}
	when := time.Unix(secs, 0).UTC()
	if version == "" {
		version = module.PseudoVersion("v0", "", when, hash[:12])
	}

	var files []modzip.File
	var gomod []byte
	if rev != "" {
		if gomod, err = gitBytes(repo, "show", hash+":go.mod"); err != nil {
			return "", err
		}
	} else {
		if files, err = workingTree(repo); err != nil {
			return "", err
		}
		if gomod, err = os.ReadFile(filepath.Join(repo, "go.mod")); err != nil {
			return "", err
		}
	}
	path := modfile.ModulePath(gomod)
	if path == "" {
		return "", errors.New("go.mod names no module")
	}
	m := module.Version{Path: path, Version: version}
	if err := module.Check(m.Path, m.Version); err != nil {
		return "", err
	}
	escPath, err := module.EscapePath(m.Path)
	if err != nil {
		return "", err
	}
	escVer, err := module.EscapeVersion(m.Version)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(out, filepath.FromSlash(escPath), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}

	var zbuf bytes.Buffer
	if rev != "" {
		err = modzip.CreateFromVCS(&zbuf, m, repo, hash, "")
	} else {
		err = modzip.Create(&zbuf, m, files)
	}
	if err != nil {
		return "", err
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, when})
	for name, data := range map[string][]byte{escVer + ".zip": zbuf.Bytes(), escVer + ".mod": gomod, escVer + ".info": info} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return m.Version, addToList(filepath.Join(dir, "list"), m.Version)
}

// addToList adds version to the proxy's list file unless it is there.
func addToList(list, version string) error {
	data, err := os.ReadFile(list)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	lines := strings.Fields(string(data))
	if slices.Contains(lines, version) {
		return nil
	}
	lines = append(lines, version)
	return os.WriteFile(list, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// workingTree lists the checkout's files as git sees them: tracked files
// still present, and untracked files that no .gitignore excludes.
func workingTree(repo string) ([]modzip.File, error) {
	out, err := gitBytes(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	var files []modzip.File
	seen := map[string]bool{}
	for _, name := range strings.Split(string(out), "\x00") {
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		p := filepath.Join(repo, filepath.FromSlash(name))
		fi, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted, not yet committed
		}
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: name, path: p, info: fi})
	}
	return files, nil
}

type file struct {
	name, path string
	info       os.FileInfo
}

func (f file) Path() string                 { return f.name }
func (f file) Lstat() (os.FileInfo, error)  { return f.info, nil }
func (f file) Open() (io.ReadCloser, error) { return os.Open(f.path) }

func git(dir string, args ...string) (string, error) {
	out, err := gitBytes(dir, args...)
	return strings.TrimSpace(string(out)), err
}

func gitBytes(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
