package results

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// DefaultSegmentBytes is where a samples file is rotated: closed, renamed
// to a numbered segment and gzipped beside the live file. A cell sampled
// every second with a dozen scraped metrics writes about 35 MB a day; the
// segments compress about tenfold, so a 24-hour soak of ten cells keeps
// tens of MB on disk, not hundreds.
const DefaultSegmentBytes = 32 << 20

// segmentSuffix ends a finished, compressed segment.
const segmentSuffix = ".gz"

// segmentPath names segment n of the samples file at path:
// samples.jsonl → samples.0001.jsonl.
func segmentPath(path string, n int) string {
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s.%04d%s", strings.TrimSuffix(path, ext), n, ext)
}

// segments lists the segments of the samples file at path in order, each
// as the file to read: the compressed one when it is complete, else the
// plain one (a harness stopped while compressing leaves it, whole).
func segments(path string) ([]string, error) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(filepath.Base(path), ext) + "."
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	found := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, stem) {
			continue
		}
		rest := strings.TrimPrefix(name, stem)
		num, tail, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) < 4 {
			continue
		}
		switch "." + tail {
		case ext + segmentSuffix:
			found[n] = name
		case ext:
			if !strings.HasSuffix(found[n], segmentSuffix) {
				found[n] = name
			}
		}
	}
	nums := make([]int, 0, len(found))
	for n := range found {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	out := make([]string, len(nums))
	for i, n := range nums {
		out[i] = filepath.Join(filepath.Dir(path), found[n])
	}
	return out, nil
}

// compressSegment gzips plain into plain.gz through a temporary file, then
// removes plain. On any error plain is kept whole and the partial file
// removed: a full disk costs compression, never samples.
func compressSegment(plain string) (err error) {
	src, err := os.Open(plain)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp := plain + segmentSuffix + ".tmp"
	dst, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			dst.Close()
			os.Remove(tmp)
		}
	}()
	zw := gzip.NewWriter(dst)
	if _, err = io.Copy(zw, src); err != nil {
		return err
	}
	if err = zw.Close(); err != nil {
		return err
	}
	if err = dst.Sync(); err != nil {
		return err
	}
	if err = dst.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, plain+segmentSuffix); err != nil {
		return err
	}
	return os.Remove(plain)
}

// openSegment opens a segment for reading, through gzip when compressed.
func openSegment(name string) (io.ReadCloser, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(name, segmentSuffix) {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}
