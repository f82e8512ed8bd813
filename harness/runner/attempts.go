package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// attemptPrefix names the subdirectories that keep a cell's earlier
// attempts: attempt-1, attempt-2, ...
const attemptPrefix = "attempt-"

// setAside moves the files an earlier attempt of a cell left in dir (an
// interrupted cell run again by --resume) into dir/attempt-<n>, so the new
// attempt's samples start a series of their own instead of appending to
// the old one, and what the old one measured is kept. It returns the
// subdirectory, or "" when dir held nothing to move.
func setAside(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil
		}
		return "", err
	}
	var files []string
	n := 1
	for _, e := range entries {
		if num, ok := strings.CutPrefix(e.Name(), attemptPrefix); ok && e.IsDir() {
			var k int
			if _, err := fmt.Sscan(num, &k); err == nil && k >= n {
				n = k + 1
			}
			continue
		}
		files = append(files, e.Name())
	}
	if len(files) == 0 {
		return "", nil
	}
	to := filepath.Join(dir, fmt.Sprintf("%s%d", attemptPrefix, n))
	if err := os.Mkdir(to, 0o755); err != nil {
		return "", err
	}
	for _, f := range files {
		if err := os.Rename(filepath.Join(dir, f), filepath.Join(to, f)); err != nil {
			return "", err
		}
	}
	return to, nil
}
