package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/soaklab/soaklab/matrix"
)

// Build compiles every target with a `build:` package into binDir as a
// static binary (CGO_ENABLED=0, so the same file runs as a process or in a
// FROM scratch image). Package paths are relative to moduleDir. It returns
// the binary path per target name.
func Build(ctx context.Context, moduleDir, binDir string, targets []matrix.Target) (map[string]string, error) {
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
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, t.Build)
		cmd.Dir = moduleDir
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
