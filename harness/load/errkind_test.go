package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	opErr := func(e error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)}
	}
	tests := []struct {
		name string
		err  error
		code int
		want errKind
	}{
		{"ok", nil, 200, errNone},                                                    // success
		{"redirect is not an error", nil, 302, errNone},                              // 3xx is not followed nor failed
		{"client error", nil, 404, errHTTP4xx},                                       // 4xx class
		{"server error", nil, 503, errHTTP5xx},                                       // 5xx class
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), 0, errTimeout}, // per-request timeout
		{"refused", opErr(syscall.ECONNREFUSED), 0, errRefused},                      // nothing listens
		{"reset", opErr(syscall.ECONNRESET), 0, errReset},                            // peer reset
		{"eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), 0, errReset},            // peer closed mid-response
		{"other", errors.New("malformed"), 0, errOther},                              // anything else
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := classifyErr(tt.err)
			if tt.err == nil {
				got = classifyStatus(tt.code)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestExpected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expect expected
		code   int
		want   errKind
	}{
		{nil, 404, errHTTP4xx},                     // no expect: a 404 fails
		{nil, 204, errNone},                        // no expect: below 400 succeeds
		{expected{200, 404}, 404, errNone},         // an expected 404 is not an error
		{expected{200, 404}, 200, errNone},         // nor an expected 200
		{expected{200, 404}, 500, errHTTP5xx},      // an unexpected 5xx keeps its class
		{expected{404}, 200, errUnexpected},        // a 200 where only 404 was expected fails
		{expected{200}, 301, errUnexpected},        // so does a redirect
		{expected{503}, 503, errNone},              // expecting an error status
		{expected{200, 201, 204}, 418, errHTTP4xx}, // a 4xx not listed
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.expect.classify(tt.code), "expect %v, status %d", tt.expect, tt.code)
	}
	assert.Equal(t, "http-unexpected", errUnexpected.String())
}
