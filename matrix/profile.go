package matrix

import "time"

// Heap profiles during a cell (targets with pprof): one at the end of
// warm-up (the baseline), then one every ProfileInterval and one at the
// end, so a cell killed before its end still names its growing allocation
// sites from the last profile taken before it died.
const (
	// DefaultProfileFraction is the share of a cell's duration between two
	// heap profiles when a target sets no profile_every.
	DefaultProfileFraction = 0.1
	// DefaultProfileMin and DefaultProfileMax bound the default interval.
	DefaultProfileMin = 15 * time.Second
	DefaultProfileMax = 5 * time.Minute
	// MinProfileEvery is the shortest profile_every a matrix may set: each
	// profile makes the target collect its garbage first.
	MinProfileEvery = time.Second
)

// ProfileInterval is how often t's heap is profiled during a cell of
// duration d: t.ProfileEvery, else DefaultProfileFraction of d bounded to
// [DefaultProfileMin, DefaultProfileMax].
func (t Target) ProfileInterval(d time.Duration) time.Duration {
	if t.ProfileEvery > 0 {
		return t.ProfileEvery
	}
	return min(max(time.Duration(float64(d)*DefaultProfileFraction), DefaultProfileMin), DefaultProfileMax)
}
