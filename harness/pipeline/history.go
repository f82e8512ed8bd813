package pipeline

import (
	"os"
	"path/filepath"

	"github.com/soaklab/soaklab/reports/history"
)

// History renders the trend of every cell across the runs in resultsDir
// into out (default resultsDir/history) and returns the page's path.
func History(resultsDir, out string) (string, error) {
	if out == "" {
		out = filepath.Join(resultsDir, "history")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	if err := history.Render(resultsDir, out); err != nil {
		return "", err
	}
	return filepath.Join(out, "index.html"), nil
}
