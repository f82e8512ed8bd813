package serve

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrKnob is wrapped around every knob that cannot be parsed.
var ErrKnob = errors.New("bad knob")

// Env reads a target's knobs from environment variables. Every getter
// returns the default when the variable is unset or empty and records an
// error when it is set but malformed; Err reports all of them at once so a
// user sees every mistake in one go.
type Env struct {
	lookup func(string) (string, bool)
	errs   []error
}

// NewEnv reads from lookup (os.LookupEnv in a main, a map in tests).
func NewEnv(lookup func(string) (string, bool)) *Env {
	return &Env{lookup: lookup}
}

// MapEnv is a lookup function over a fixed map, for tests.
func MapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Err joins every problem found so far, or returns nil.
func (e *Env) Err() error { return errors.Join(e.errs...) }

// Fail records a problem found by the caller's own validation.
func (e *Env) Fail(name, value, why string) {
	e.errs = append(e.errs, fmt.Errorf("%w: %s=%q: %s", ErrKnob, name, value, why))
}

func (e *Env) raw(name string) (string, bool) {
	v, ok := e.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (e *Env) fail(name, value string, err error) {
	e.errs = append(e.errs, fmt.Errorf("%w: %s=%q: %v", ErrKnob, name, value, err))
}

// String returns the variable or def.
func (e *Env) String(name, def string) string {
	if v, ok := e.raw(name); ok {
		return v
	}
	return def
}

// Int returns a non-negative integer.
func (e *Env) Int(name string, def int) int {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err == nil && n < 0 {
		err = errors.New("must not be negative")
	}
	if err != nil {
		e.fail(name, v, err)
		return def
	}
	return n
}

// Size returns a byte size such as 64KiB or 1MB.
func (e *Env) Size(name string, def int64) int64 {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	n, err := ParseSize(v)
	if err != nil {
		e.fail(name, v, err)
		return def
	}
	return n
}

// Rate returns bytes per second from a rate such as 1MiB/min.
func (e *Env) Rate(name string, def float64) float64 {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	r, err := ParseRate(v)
	if err != nil {
		e.fail(name, v, err)
		return def
	}
	return r
}

// CountRate returns events per second from a rate such as 10/min.
func (e *Env) CountRate(name string, def float64) float64 {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	r, err := ParseCountRate(v)
	if err != nil {
		e.fail(name, v, err)
		return def
	}
	return r
}

// Duration returns a Go duration such as 30s; a bare 0 is accepted.
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = errors.New("must not be negative")
	}
	if err != nil {
		e.fail(name, v, err)
		return def
	}
	return d
}

// Bool accepts 1/0, true/false, on/off, yes/no.
func (e *Env) Bool(name string, def bool) bool {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "1", "true", "on", "yes":
		return true
	case "0", "false", "off", "no":
		return false
	}
	e.fail(name, v, errors.New("want on/off, 1/0, true/false"))
	return def
}

// Choice returns one of allowed (compared case-insensitively, returned as
// spelled in allowed).
func (e *Env) Choice(name, def string, allowed ...string) string {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a
		}
	}
	e.fail(name, v, fmt.Errorf("want one of %s", strings.Join(allowed, ", ")))
	return def
}
