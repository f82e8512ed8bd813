package results

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// MaxRunIDLen caps a run id's length.
const MaxRunIDLen = 128

// ErrRunID is wrapped by CheckRunID.
var ErrRunID = errors.New("invalid run id")

var runIDChars = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CheckRunID reports whether id may name a run: 1 to MaxRunIDLen letters,
// digits, '.', '_' and '-', starting with a letter or digit, and no "..".
// A run id is a directory name under the results directory and part of
// cgroup and container names, so it never holds a '/'.
func CheckRunID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrRunID)
	case len(id) > MaxRunIDLen:
		return fmt.Errorf("%w: %q is longer than %d characters", ErrRunID, id[:32]+"...", MaxRunIDLen)
	case strings.Contains(id, ".."):
		return fmt.Errorf("%w: %q holds \"..\"", ErrRunID, id)
	case !runIDChars.MatchString(id):
		return fmt.Errorf("%w: %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", ErrRunID, id)
	}
	return nil
}
