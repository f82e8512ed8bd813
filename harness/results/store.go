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
)

// ErrSchema is returned for a file written by a newer soaklab.
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

// ReadRun reads dir/run.json. A cell run.json lists as pending (no
// outcome) whose result.json exists takes that result: the harness writes
// run.json when a run starts and ends, and each cell's result as it ends,
// so a run killed midway still has every finished cell.
func ReadRun(dir string) (*Run, error) {
	var r Run
	if err := readJSON(filepath.Join(dir, RunFile), &r); err != nil {
		return nil, err
	}
	if r.Schema > SchemaVersion {
		return nil, fmt.Errorf("%w: %s has schema %d, this soaklab reads up to %d", ErrSchema, filepath.Join(dir, RunFile), r.Schema, SchemaVersion)
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

// ReadCell reads the result.json of the cell stored in cellDir.
func ReadCell(cellDir string) (*Cell, error) {
	var c Cell
	if err := readJSON(filepath.Join(cellDir, CellFile), &c); err != nil {
		return nil, err
	}
	if c.Schema > SchemaVersion {
		return nil, fmt.Errorf("%w: %s has schema %d", ErrSchema, cellDir, c.Schema)
	}
	return &c, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
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
		out, err = readLines(name, r, out)
		r.Close()
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// readLines appends the samples of one JSON-lines stream to out.
func readLines(path string, r io.Reader, out []Sample) ([]Sample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var s Sample
		if err := json.Unmarshal(b, &s); err != nil {
			if !sc.Scan() { // torn final line
				break
			}
			return out, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}
