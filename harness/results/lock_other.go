//go:build !unix

package results

import "os"

// tryLock holds nothing where flock is missing: soaklab runs targets on
// Linux only, and elsewhere only reads and reports runs.
func tryLock(*os.File) error { return nil }
