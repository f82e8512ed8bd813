package pipeline

import "errors"

// InputError is an error in what the user gave: a matrix, a flag value, a
// run directory that is not one, a target that does not build. The CLI
// exits with its usage status for it and its harness status for any other
// error.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// input marks err as the user's.
func input(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{err}
}

// IsInput reports whether err is an InputError.
func IsInput(err error) bool {
	var e *InputError
	return errors.As(err, &e)
}
