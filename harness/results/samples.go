package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
)

// SampleWriter streams samples to a JSON-lines file, one write per sample,
// so a crash loses at most the sample being written. Past a size it
// rotates: the file becomes a numbered segment, gzipped in the background,
// and a fresh file takes the next samples (see DefaultSegmentBytes).
// ReadSamples reads the segments and the live file as one series.
type SampleWriter struct {
	mu       sync.Mutex
	path     string
	f        *os.File
	buf      []byte
	n        int
	size     int64 // bytes in the live file
	maxBytes int64 // rotate past this; <= 0 never
	seg      int   // segments so far

	compress sync.WaitGroup
	errMu    sync.Mutex
	errs     []error // compression failures, reported by Close
}

// CreateSamples opens path for appending samples, rotating it every
// DefaultSegmentBytes.
func CreateSamples(path string) (*SampleWriter, error) {
	return CreateSamplesSegmented(path, DefaultSegmentBytes)
}

// CreateSamplesSegmented is CreateSamples rotating past maxBytes (<= 0:
// never). Segments already beside path (a resumed cell) are counted on.
func CreateSamplesSegmented(path string, maxBytes int64) (*SampleWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	w := &SampleWriter{path: path, f: f, maxBytes: maxBytes}
	if st, err := f.Stat(); err == nil {
		w.size = st.Size()
	}
	if segs, err := segments(path); err == nil {
		w.seg = len(segs)
	}
	return w, nil
}

// Write appends one sample, rotating first when the line would take the
// live file past its size.
func (w *SampleWriter) Write(s *Sample) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.maxBytes > 0 && w.size > 0 && w.size+int64(len(data))+1 > w.maxBytes {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	w.buf = append(append(w.buf[:0], data...), '\n')
	n, err := w.f.Write(w.buf)
	w.size += int64(n)
	if err != nil {
		return err
	}
	w.n++
	return nil
}

// rotate closes the live file, renames it to the next segment, starts its
// compression and opens a fresh live file. Called with mu held.
func (w *SampleWriter) rotate() error {
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("rotate samples: %w", err)
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("rotate samples: %w", err)
	}
	seg := segmentPath(w.path, w.seg+1)
	if err := os.Rename(w.path, seg); err != nil {
		// Keep writing where we were: nothing is lost, rotation is retried.
		f, oerr := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND, 0o644)
		if oerr != nil {
			return fmt.Errorf("rotate samples: %w", errors.Join(err, oerr))
		}
		w.f = f
		return fmt.Errorf("rotate samples: %w", err)
	}
	w.seg++
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("rotate samples: %w", err)
	}
	w.f, w.size = f, 0
	w.compress.Add(1)
	go func() {
		defer w.compress.Done()
		if err := compressSegment(seg); err != nil {
			w.errMu.Lock()
			w.errs = append(w.errs, fmt.Errorf("compress %s (kept uncompressed): %w", seg, err))
			w.errMu.Unlock()
		}
	}()
	return nil
}

// Count is the number of samples written.
func (w *SampleWriter) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Close syncs and closes the file and waits for segments being compressed.
// A segment that could not be compressed stays whole and is named in the
// error.
func (w *SampleWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.compress.Wait()
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return errors.Join(append([]error{err}, w.errs...)...)
}
