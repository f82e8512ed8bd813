package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// File names inside a run directory.
const (
	RunFile     = "run.json"
	CellsDir    = "cells"
	CellFile    = "result.json"
	SamplesFile = "samples.jsonl"
	LogFile     = "target.log"
	// The heap profiles kept of a cell, as the target served them: at the
	// start (the target ready), at the end of warm-up (the baseline), and
	// the newest taken; compare two with go tool pprof -diff_base.
	HeapStartFile    = "heap-start.pb.gz"
	HeapBaselineFile = "heap-baseline.pb.gz"
	HeapLastFile     = "heap-last.pb.gz"
)

// ErrSchema is returned for a file of a schema this soaklab does not read:
// one written by a newer soaklab, or no soaklab results file at all.
var ErrSchema = errors.New("unsupported results schema")

// CellDir turns a cell id into a directory name that is safe on every file
// system and still readable: "leaky/ram=128MiB,rps=500" becomes
// "leaky_ram=128MiB,rps=500".
func CellDir(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '=', r == ',', r == '.', r == '-', r == '+':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// WriteJSON writes v as indented JSON to path atomically: a temporary file in
// the same directory, synced, then renamed over path. A reader never sees a
// half-written file.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	data = append(data, '\n')
	return WriteFile(path, data)
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadRun reads dir/run.json. A run of an older schema is converted to the
// current one (see legacy.go); a newer or unknown schema is refused with
// ErrSchema naming the file and both versions. A cell run.json lists as
// pending (no outcome) whose result.json exists takes that result: the
// harness writes run.json when a run starts and ends, and each cell's
// result as it ends, so a run killed midway still has every finished cell.
func ReadRun(dir string) (*Run, error) {
	path := filepath.Join(dir, RunFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	schema, err := schemaOf(path, data)
	if err != nil {
		return nil, err
	}
	if schema == 1 {
		var r runV1
		if err := decode(path, data, &r); err != nil {
			return nil, err
		}
		return r.upgrade(), nil
	}
	var r Run
	if err := decode(path, data, &r); err != nil {
		return nil, err
	}
	for i := range r.Cells {
		c := &r.Cells[i]
		if c.Outcome != "" || c.Dir == "" || c.Dir != CellDir(c.ID) {
			continue
		}
		if done, err := ReadCell(filepath.Join(dir, CellsDir, c.Dir)); err == nil && done.ID == c.ID {
			*c = *done
		}
	}
	return &r, nil
}

// ReadCell reads the result.json of the cell stored in cellDir, converting
// an older schema as ReadRun does.
func ReadCell(cellDir string) (*Cell, error) {
	path := filepath.Join(cellDir, CellFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	schema, err := schemaOf(path, data)
	if err != nil {
		return nil, err
	}
	if schema == 1 {
		var c cellV1
		if err := decode(path, data, &c); err != nil {
			return nil, err
		}
		out := c.upgrade()
		return &out, nil
	}
	var c Cell
	if err := decode(path, data, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// schemaOf reads the "schema" field of a run.json or result.json: 1 up to
// SchemaVersion, or ErrSchema.
func schemaOf(path string, data []byte) (int, error) {
	var v struct {
		Schema *int `json:"schema"`
	}
	if err := decode(path, data, &v); err != nil {
		return 0, err
	}
	switch {
	case v.Schema == nil:
		return 0, fmt.Errorf("%w: %s has no schema field; it is not a soaklab results file", ErrSchema, path)
	case *v.Schema > SchemaVersion:
		return 0, fmt.Errorf("%w: %s has schema %d, this soaklab reads schemas 1 to %d; use a newer soaklab", ErrSchema, path, *v.Schema, SchemaVersion)
	case *v.Schema < 1:
		return 0, fmt.Errorf("%w: %s has schema %d, this soaklab reads schemas 1 to %d", ErrSchema, path, *v.Schema, SchemaVersion)
	}
	return *v.Schema, nil
}

func decode(path string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadSamples reads a samples.jsonl file, after its rotated segments
// (samples.0001.jsonl.gz, ...) in order. A torn last line (the harness was
// killed mid-write) is dropped, not an error: every complete sample is kept.
func ReadSamples(path string) ([]Sample, error) {
	segs, err := segments(path)
	if err != nil {
		return nil, err
	}
	var out []Sample
	for _, name := range append(segs, path) {
		r, err := openSegment(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return out, err
		}
		if out == nil && name == path {
			// Size the series once from the file's size and its first
			// line, instead of growing it by copies.
			out = presize(path)
		}
		out, err = readLines(name, r, out)
		r.Close()
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// presize returns an empty series with room for the lines of the plain
// samples file at path, estimated from its size and first line.
func presize(path string) []Sample {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	buf := make([]byte, 4096)
	n, _ := io.ReadFull(f, buf)
	i := bytes.IndexByte(buf[:n], '\n')
	if i <= 0 {
		return nil
	}
	return make([]Sample, 0, st.Size()/int64(i+1)+16)
}

// readLines appends the samples of one JSON-lines stream to out.
func readLines(path string, r io.Reader, out []Sample) ([]Sample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	var dec sampleDecoder
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		// Decode in place: a day of samples is not copied twice.
		out = append(out, Sample{})
		if err := dec.decode(b, &out[len(out)-1]); err != nil {
			out = out[:len(out)-1]
			if !sc.Scan() { // torn final line
				break
			}
			return out, fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	return out, sc.Err()
}
