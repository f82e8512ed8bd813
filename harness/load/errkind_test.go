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
