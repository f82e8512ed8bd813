package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soaklab/soaklab/harness/results"
)

// ErrNoRun is wrapped by FindRun when a reference names no run.
var ErrNoRun = errors.New("no such run")

// FindRun turns what a user typed for a run into its directory: a run
// directory as it is, or the id of a run under resultsDir (what `soaklab
// run` prints). A directory is a run when it holds run.json. Not finding
// one is an InputError wrapping ErrNoRun that says where it looked.
func FindRun(resultsDir, ref string) (string, error) {
	if isRun(ref) {
		return ref, nil
	}
	if resultsDir != "" && !filepath.IsAbs(ref) {
		if dir := filepath.Join(resultsDir, ref); isRun(dir) {
			return dir, nil
		}
		return "", input(fmt.Errorf("%w: %q is neither a run directory nor the id of a run under %s", ErrNoRun, ref, resultsDir))
	}
	return "", input(fmt.Errorf("%w: %s holds no %s", ErrNoRun, ref, results.RunFile))
}

func isRun(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, results.RunFile))
	return err == nil && st.Mode().IsRegular()
}
