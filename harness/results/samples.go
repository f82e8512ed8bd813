package results

import (
	"encoding/json"
	"os"
	"sync"
)

// SampleWriter streams samples to a JSON-lines file, one write per sample,
// so a crash loses at most the sample being written.
type SampleWriter struct {
	mu  sync.Mutex
	f   *os.File
	buf []byte
	n   int
}

// CreateSamples opens path for appending samples.
func CreateSamples(path string) (*SampleWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &SampleWriter{f: f}, nil
}

// Write appends one sample.
func (w *SampleWriter) Write(s *Sample) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(append(w.buf[:0], data...), '\n')
	if _, err := w.f.Write(w.buf); err != nil {
		return err
	}
	w.n++
	return nil
}

// Count is the number of samples written.
func (w *SampleWriter) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Close syncs and closes the file.
func (w *SampleWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return err
	}
	return w.f.Close()
}
