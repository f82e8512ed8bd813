package render_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/soaklab/soaklab/reports/internal/fixture"
	"github.com/soaklab/soaklab/reports/render"
)

// Re-render a finished run from its results directory: the HTML report,
// junit.xml and summary.md are written beside run.json.
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "soaklab-run")
	defer os.RemoveAll(dir)
	_ = fixture.Small(dir) // a run as the harness and the judge leave it

	out, err := render.Run(dir, render.Now(time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range []string{out.Report, out.JUnit, out.Summary} {
		rel, _ := filepath.Rel(dir, p)
		fmt.Println(rel)
	}
	fmt.Println(out.Cells, "cells")
	// Output:
	// report/index.html
	// junit.xml
	// summary.md
	// 5 cells
}
