package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/matrix"
)

// Build compiles every target with a `build:` package into binDir as a
// static binary (CGO_ENABLED=0, so the same file runs as a process or in a
// FROM scratch image). A `build:` folder of C files and no Go files is
// compiled with the machine's C compiler instead (buildC). Package paths are relative to matrixDir, the folder
// of the matrix file. It returns the binary path per target name.
//
// The build runs in the package's own folder, so the module that holds the
// package is found from there (the user's module, not soaklab's, nor the
// folder the matrix happens to sit in). A folder of Go files in no module at
// all is built from its files, as `go build main.go` would.
func Build(ctx context.Context, matrixDir, binDir string, targets []matrix.Target) (map[string]string, error) {
	out := make(map[string]string)
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, err
	}
	for _, t := range targets {
		if t.Build == "" {
			continue
		}
		bin, err := filepath.Abs(filepath.Join(binDir, t.Name))
		if err != nil {
			return nil, err
		}
		if dir := buildDir(matrixDir, t.Build); dir != "" {
			if files := cSources(dir); len(files) > 0 {
				if err := buildC(ctx, dir, bin, files); err != nil {
					return nil, fmt.Errorf("build target %s (%s): %w", t.Name, t.Build, err)
				}
				out[t.Name] = bin
				continue
			}
		}
		dir, args, err := buildArgs(matrixDir, t.Build)
		if err != nil {
			return nil, fmt.Errorf("build target %s (%s): %w", t.Name, t.Build, err)
		}
		cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-trimpath", "-o", bin}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("build target %s (%s): %v\n%s", t.Name, t.Build, err, strings.TrimSpace(stderr.String()))
		}
		out[t.Name] = bin
	}
	return out, nil
}

// buildArgs says where to run `go build` for pkg and what to pass it. A
// package given as a path (./x, ../x, /x) is built in its folder: as "."
// inside a module, or as its list of .go files outside any. An import path
// (example.com/svc/cmd/svc) is built from matrixDir, whose module must
// require it.
func buildArgs(matrixDir, pkg string) (dir string, args []string, err error) {
	if !isPath(pkg) {
		return matrixDir, []string{pkg}, nil
	}
	dir = pkg
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(matrixDir, pkg)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", nil, fmt.Errorf("no package folder %s", dir)
	}
	if !st.IsDir() {
		return "", nil, fmt.Errorf("%s is a file: build: names a package folder", dir)
	}
	if inModule(dir) {
		return dir, []string{"."}, nil
	}
	files, err := goFiles(dir)
	if err != nil {
		return "", nil, err
	}
	return dir, files, nil
}

// buildDir is the folder a path-form build names, or "" for an import path
// or a path that is not a folder.
func buildDir(matrixDir, pkg string) string {
	if !isPath(pkg) {
		return ""
	}
	dir := pkg
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(matrixDir, pkg)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

func isPath(pkg string) bool {
	return pkg == "." || pkg == ".." || strings.HasPrefix(pkg, "./") || strings.HasPrefix(pkg, "../") || filepath.IsAbs(pkg)
}

// inModule reports whether dir or a folder above it has a go.mod (or a
// go.work).
func inModule(dir string) bool {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		for _, f := range []string{"go.mod", "go.work"} {
			if _, err := os.Stat(filepath.Join(d, f)); err == nil {
				return true
			}
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

// goFiles lists the non-test .go files in dir, for a build outside any
// module.
func goFiles(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var files []string
	for _, m := range matches {
		if !strings.HasSuffix(m, "_test.go") {
			files = append(files, filepath.Base(m))
		}
	}
	if len(files) == 0 {
		return nil, errors.New(dir + " has no go.mod above it and no .go files: nothing to build")
	}
	sort.Strings(files)
	return files, nil
}
