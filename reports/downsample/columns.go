package downsample

import "math"

// Columns downsamples several series that share the x values xs into at
// most 2*buckets rows, keeping them aligned: it splits the rows into buckets
// of equal count, and each bucket of more than one row becomes two rows, at
// the x of its first and of its last row. In every column the bucket's
// lowest and highest values take those two rows, the one that came first in
// time at the first: every column's peaks and troughs survive, each moved by
// less than one bucket's width. A bucket where a column has no value (NaN)
// gives NaN there, so gaps stay gaps. Inputs already small enough come back
// as copies. buckets < 1 means DefaultBuckets.
func Columns(xs []float64, cols [][]float64, buckets int) (ox []float64, oc [][]float64) {
	if buckets < 1 {
		buckets = DefaultBuckets
	}
	n := len(xs)
	for _, c := range cols {
		n = min(n, len(c))
	}
	oc = make([][]float64, len(cols))
	if n <= 2*buckets {
		ox = append([]float64(nil), xs[:n]...)
		for j, c := range cols {
			oc[j] = append([]float64(nil), c[:n]...)
		}
		return ox, oc
	}
	ox = make([]float64, 0, 2*buckets)
	for j := range oc {
		oc[j] = make([]float64, 0, 2*buckets)
	}
	for b := range buckets {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		if hi-lo == 1 {
			ox = append(ox, xs[lo])
			for j, c := range cols {
				oc[j] = append(oc[j], c[lo])
			}
			continue
		}
		ox = append(ox, xs[lo], xs[hi-1])
		for j, c := range cols {
			iMin, iMax := -1, -1
			for i := lo; i < hi; i++ {
				v := c[i]
				if math.IsNaN(v) {
					continue
				}
				if iMin < 0 || v < c[iMin] {
					iMin = i
				}
				if iMax < 0 || v > c[iMax] {
					iMax = i
				}
			}
			switch {
			case iMin < 0:
				oc[j] = append(oc[j], math.NaN(), math.NaN())
			case iMin <= iMax:
				oc[j] = append(oc[j], c[iMin], c[iMax])
			default:
				oc[j] = append(oc[j], c[iMax], c[iMin])
			}
		}
	}
	return ox, oc
}
