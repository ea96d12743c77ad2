package generator_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stampedehq/stampede/generator"
)

func TestReason(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "http://127.0.0.1/", Err: err} }
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), generator.ReasonRefused},
		{wrap(&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), generator.ReasonReset},
		{wrap(io.ErrUnexpectedEOF), generator.ReasonReset},
		{wrap(context.DeadlineExceeded), generator.ReasonTimeout},
		{wrap(&net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}), generator.ReasonDNS},
		{wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), generator.ReasonTLS},
		{wrap(fmt.Errorf("x: %w", errors.New("something else"))), generator.ReasonOther},
	}
	for _, tt := range tests {
		if got := generator.Reason(tt.err); got != tt.want {
			t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
