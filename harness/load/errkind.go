package load

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
)

// errKind classifies a failed request. The zero value is success.
type errKind uint8

// Error kinds, as named in results.Load.ErrorsByKind.
const (
	errNone errKind = iota
	errTimeout
	errRefused
	errReset
	errHTTP4xx
	errHTTP5xx
	errUnexpected
	errOther
	numErrKinds
)

var errKindNames = [numErrKinds]string{
	errNone:       "",
	errTimeout:    "timeout",
	errRefused:    "refused",
	errReset:      "reset",
	errHTTP4xx:    "http-4xx",
	errHTTP5xx:    "http-5xx",
	errUnexpected: "http-unexpected",
	errOther:      "other",
}

// String is the kind's name in results.
func (k errKind) String() string { return errKindNames[k] }

// classifyStatus maps an HTTP status to a kind: 4xx and 5xx fail, the
// rest (including 3xx, which the driver does not follow) succeed.
func classifyStatus(code int) errKind {
	switch {
	case code >= 500:
		return errHTTP5xx
	case code >= 400:
		return errHTTP4xx
	}
	return errNone
}

// expected is a request's `Expect` statuses: empty means classifyStatus.
type expected []int

// classify maps a status to a kind: a listed status succeeds, any other
// fails (as http-4xx or http-5xx, or http-unexpected below 400). It
// allocates nothing.
func (e expected) classify(code int) errKind {
	if len(e) == 0 {
		return classifyStatus(code)
	}
	for _, c := range e {
		if c == code {
			return errNone
		}
	}
	if k := classifyStatus(code); k != errNone {
		return k
	}
	return errUnexpected
}

// classifyErr maps a transport or body-read error to a kind.
func classifyErr(err error) errKind {
	var ne net.Error
	switch {
	case err == nil:
		return errNone
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return errTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return errRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errReset
	}
	return errOther
}
