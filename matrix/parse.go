package matrix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var topKeys = []string{"name", "backend", "interval", "repeats", "targets", "workload", "axes", "exclude", "include", "compare", "judge"}

// Load reads and validates the matrix file at path. A bad file gives an
// Errors value holding every problem; an unreadable one a plain error.
// A file larger than MaxFileSize is refused before it is read. With
// CheckHost, Load also checks what only the machine knows.
func Load(path string, opts ...LoadOption) (*Matrix, error) {
	data, err := ReadFile(path, path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, opts...)
}

// ReadFile reads the matrix file at path, named name in errors. A file
// larger than MaxFileSize is refused (an Errors value) before it is read.
func ReadFile(path, name string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read matrix: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, Errors{{File: name, Msg: fmt.Sprintf("the file is %s, more than a matrix may be (%s)", FormatSize(st.Size()), FormatSize(MaxFileSize))}}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read matrix: %w", err)
	}
	return data, nil
}

// Parse decodes and validates a matrix; path names it in errors. It
// returns Errors with every problem found, sorted by position. With
// CheckHost it also checks what only the machine knows.
func Parse(path string, data []byte, opts ...LoadOption) (*Matrix, error) {
	var o loadOptions
	for _, opt := range opts {
		opt(&o)
	}
	var h *host
	if o.host {
		dir := o.dir
		if dir == "" {
			dir = filepath.Dir(path)
		}
		h = osHost(dir)
	}
	return parseWith(path, data, h)
}

func parseWith(path string, data []byte, h *host) (*Matrix, error) {
	if len(data) > MaxFileSize {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("the file is more than a matrix may be (%s)", FormatSize(MaxFileSize))}}
	}
	d := &decoder{file: path, pos: map[string]*yaml.Node{}, host: h}
	m := &Matrix{Path: path}
	if root := d.document(data); root != nil {
		d.matrix(m, root)
		d.check(m)
		if len(d.errs) == 0 {
			d.checkExpansion(m)
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	m.Warnings = d.warns.sorted()
	return m, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses the YAML text and returns its root mapping, or nil after
// reporting why there is none.
func (d *decoder) document(data []byte) (root *yaml.Node) {
	defer func() {
		if r := recover(); r != nil {
			d.errf(nil, "YAML parser failed: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errf(nil, "empty matrix: expected a mapping with at least targets:")
		} else {
			d.syntax(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errf(&extra, "only one YAML document is allowed in a matrix")
	} else if !errors.Is(err, io.EOF) {
		d.syntax(err)
	}
	if len(doc.Content) == 0 {
		d.errf(nil, "empty matrix: expected a mapping with at least targets:")
		return nil
	}
	root = d.resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		d.errf(root, "expected a mapping with targets:, axes: ..., got %s", describe(root))
		return nil
	}
	return root
}

func (d *decoder) syntax(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errs = append(d.errs, Error{File: d.file, Line: line, Msg: "YAML syntax: " + m[2]})
		return
	}
	d.errf(nil, "YAML syntax: %s", strings.TrimPrefix(msg, "yaml: "))
}

// matrix decodes the top level and applies defaults.
func (d *decoder) matrix(m *Matrix, root *yaml.Node) {
	o := d.object(root, "matrix", topKeys)
	m.Name = strings.TrimSuffix(filepath.Base(m.Path), filepath.Ext(m.Path))
	if n := o["name"]; n != nil {
		if s, ok := d.str(n, "name"); ok {
			m.Name = s
		}
	}
	m.Backend = DefaultBackend
	if n := o["backend"]; n != nil {
		if s, ok := d.enum(n, "backend", Backends...); ok {
			m.Backend = s
		}
	}
	m.Interval = DefaultInterval
	if n := o["interval"]; n != nil {
		d.pos["interval"] = n
		if v, ok := d.duration(n, "interval"); ok {
			if v == 0 {
				d.errf(n, "interval: must be positive")
			}
			m.Interval = v
		}
	}
	m.Repeats = DefaultRepeats
	if n := o["repeats"]; n != nil {
		if v, ok := d.integer(n, "repeats", 1); ok {
			if v > MaxRepeats {
				d.errf(n, "repeats: at most %d, got %d", MaxRepeats, v)
			}
			m.Repeats = v
		}
	}
	if n := o["targets"]; n != nil {
		m.Targets = d.targets(n, m.Backend)
	}
	if len(m.Targets) == 0 && !d.hasFields(o["targets"]) {
		at := o["targets"]
		if at == nil {
			at = root
		}
		d.errf(at, "targets: at least one target is needed")
	}
	m.Workload = d.workload(o["workload"], "workload")
	m.Axes = d.axes(o["axes"], "axes", "axes")
	for _, def := range DefaultAxes {
		if findAxis(m.Axes, def.Name) == nil {
			m.Axes = append(m.Axes, Axis{Name: def.Name, Values: append([]string(nil), def.Values...)})
		}
	}
	m.Exclude = d.rules(o["exclude"], "exclude")
	m.Include = d.rules(o["include"], "include")
	m.Compare = d.compares(o["compare"])
	m.Judge = d.judge(o["judge"])
}

// Resolve turns a path written in the matrix (build, dockerfile,
// body_file, a command's program when it contains a slash) into one usable
// from the working directory: relative paths are relative to the directory
// of the matrix file. A relative result keeps a leading "./", so a build
// path stays a Go package path ("./targets/steady"), not an import path.
func (m *Matrix) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	r := filepath.Join(filepath.Dir(m.Path), p)
	if !filepath.IsAbs(r) && r != "." && r != ".." && !strings.HasPrefix(r, "../") {
		r = "./" + r
	}
	return r
}

func findAxis(axes []Axis, name string) *Axis {
	for i := range axes {
		if axes[i].Name == name {
			return &axes[i]
		}
	}
	return nil
}
