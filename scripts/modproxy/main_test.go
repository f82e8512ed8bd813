package main

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWrite makes a proxy from a small git repository: the files git
// tracks or would track, not the ignored ones; the pseudo-version of HEAD;
// a tag served beside it; the list holding each version once.
func TestWrite(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	files := map[string]string{
		"go.mod":     "module example.com/tool\n\ngo 1.26\n",
		"main.go":    "package main\n\nfunc main() {}\n",
		".gitignore": "/results/\n",
		"results/x":  "ignored",
	}
	for name, text := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(repo, name), []byte(text), 0o644))
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	git("init", "-q")
	git("add", "go.mod", "main.go", ".gitignore")
	git("commit", "-qm", "first")
	require.NoError(t, os.WriteFile(filepath.Join(repo, "new.go"), []byte("package main\n"), 0o644)) // untracked, not ignored

	proxy := t.TempDir()
	v, err := write(proxy, repo, "", "")
	require.NoError(t, err)
	require.Regexp(t, `^v0\.0\.0-\d{14}-[0-9a-f]{12}$`, v)
	dir := filepath.Join(proxy, "example.com", "tool", "@v")
	for _, ext := range []string{".info", ".mod", ".zip"} {
		assert.FileExists(t, filepath.Join(dir, v+ext))
	}
	zr, err := zip.OpenReader(filepath.Join(dir, v+".zip"))
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	sort.Strings(names)
	prefix := "example.com/tool@" + v + "/"
	assert.Equal(t, []string{prefix + ".gitignore", prefix + "go.mod", prefix + "main.go", prefix + "new.go"}, names)

	tag, err := write(proxy, repo, "v0.1.0", "")
	require.NoError(t, err)
	assert.Equal(t, "v0.1.0", tag)
	_, err = write(proxy, repo, "v0.1.0", "HEAD") // the commit, from git: without new.go
	require.NoError(t, err)
	list, err := os.ReadFile(filepath.Join(dir, "list"))
	require.NoError(t, err)
	assert.Equal(t, v+"\nv0.1.0\n", string(list))

	_, err = write(proxy, repo, "latest", "")
	assert.Error(t, err, "not a version")
}
