package runner

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/matrix"
)

// spec says how the backend starts this cell's target: a command's
// arguments are rendered for the cell, its port and its sink URL.
func (cr *cellRun) spec(env []string, out io.Writer, port int, sinkURL string) (target.Spec, error) {
	r, t := cr.r, cr.tgt
	spec := target.Spec{RunID: filepath.Base(r.Dir), CellID: cr.cell.ID, Name: t.Name, Dir: r.WorkDir,
		Env: env, MemoryLimit: cr.cell.RAM, Stdout: out, Stderr: out, Image: t.Image}
	switch {
	case t.Build != "":
		spec.Path = r.Binaries[t.Name]
	case len(t.Command) > 0:
		args, err := t.Args(cr.cell, port, sinkURL)
		if err != nil {
			return spec, err
		}
		spec.Path, spec.Args = args[0], args[1:]
		if !filepath.IsAbs(spec.Path) && filepath.Base(spec.Path) != spec.Path {
			spec.Path = filepath.Join(r.WorkDir, spec.Path)
		}
	case t.Dockerfile != "":
		spec.Dockerfile = filepath.Join(r.WorkDir, t.Dockerfile)
	}
	return spec, nil
}

// cellEnv is the target's environment for a cell: its rendered env, the
// port, and the cell's identity.
func cellEnv(c matrix.Cell, t matrix.Target, port int) []string {
	keys := make([]string, 0, len(c.Env))
	for k := range c.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	env := make([]string, 0, len(keys)+4)
	for _, k := range keys {
		env = append(env, k+"="+c.Env[k])
	}
	return append(env, t.PortEnv+"="+strconv.Itoa(port), "SOAKLAB_CELL="+c.ID,
		"SOAKLAB_RAM="+strconv.FormatInt(c.RAM, 10))
}

// applied checks that t carries the settings matrix applies to every parsed
// target (kind, port_env, sink_env of a client, ready's path and timeout): the
// runner reads them as given and keeps no defaults of its own. A target
// built in Go must set them (matrix.DefaultPortEnv, matrix.DefaultReady...).
func applied(t matrix.Target) error {
	var missing []string
	if t.Kind == "" {
		missing = append(missing, "kind")
	}
	if t.PortEnv == "" {
		missing = append(missing, "port_env")
	}
	if t.Kind == matrix.KindClient && t.SinkEnv == "" {
		missing = append(missing, "sink_env")
	}
	if t.Ready.Path == "" && !t.Ready.None {
		missing = append(missing, "ready.path")
	}
	if t.Ready.Timeout <= 0 {
		missing = append(missing, "ready.timeout")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("target %s has no %s: targets come from matrix.Parse, which applies the defaults of matrix/defaults.go", t.Name, strings.Join(missing, ", "))
}
