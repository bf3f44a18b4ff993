package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestErrorsRedactQuery(t *testing.T) {
	loop := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"?api_key=SECRET", http.StatusFound)
	}))
	release := make(chan struct{})
	slow := newServer(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) })
	// Closed last, so the servers above cannot take over its port.
	closed := newServer(t, textHandler(""))
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name string
		url  string
		want string // the redacted URL the message should show
	}{
		{
			name: "unreachable",
			url:  closedURL + "/v1/items?api_key=SECRET&x=1#SECRET",
			want: closedURL + "/v1/items",
		},
		{
			name: "user info",
			url:  strings.Replace(closedURL, "://", "://user:SECRET@", 1) + "/p?token=SECRET",
			want: closedURL + "/p",
		},
		{
			name: "blocked",
			url:  "http://10.0.0.1/admin?api_key=SECRET",
			want: "http://10.0.0.1/admin",
		},
		{
			name: "redirect loop",
			// net/http reports the Location header as written.
			url:  loop.URL + "/loop?api_key=SECRET",
			want: "/loop",
		},
		{
			name: "timeout",
			url:  slow.URL + "/slow?api_key=SECRET",
			want: slow.URL + "/slow",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Allow: mustAllow(t, "127.0.0.1"), Timeout: 200 * time.Millisecond})

			_, _, err := get(t, c, tt.url)

			if err == nil {
				t.Fatal("got nil error, want one")
			}
			msg := err.Error()
			if strings.Contains(msg, "SECRET") {
				t.Errorf("error %q contains the secret", msg)
			}
			if !strings.Contains(msg, fmt.Sprintf("%q", tt.want)) {
				t.Errorf("error %q does not name %q", msg, tt.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{in: "https://api.example.com/v1/x?api_key=k", want: "https://api.example.com/v1/x"},
		{in: "https://u:p@api.example.com:8443/a%2Fb?k=v#f", want: "https://api.example.com:8443/a%2Fb"},
		{in: "http://[::1]:80", want: "http://[::1]:80"},
		{in: "http://h/%zz?api_key=k", want: "(invalid URL)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := redactURL(tt.in); got != tt.want {
				t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsTimeoutIsUnreachable(t *testing.T) {
	opErr := func(err error) error {
		dial := &net.OpError{Op: "dial", Net: "tcp", Err: err}
		return &url.Error{Op: "Get", URL: "http://h/", Err: dial}
	}
	syscallErr := func(err error) error {
		return opErr(os.NewSyscallError("connect", err))
	}
	blocked := &BlockedError{Host: "h", Addr: "10.0.0.1", Reason: "private address"}
	tests := []struct {
		name            string
		err             error
		wantTimeout     bool
		wantUnreachable bool
	}{
		{name: "nil"},
		{name: "other", err: errors.New("boom")},
		{name: "blocked", err: opErr(blocked)},
		{name: "canceled", err: opErr(context.Canceled)},
		{
			name:        "context deadline",
			err:         fmt.Errorf("get: %w", context.DeadlineExceeded),
			wantTimeout: true,
		},
		{name: "os deadline", err: opErr(os.ErrDeadlineExceeded), wantTimeout: true},
		{
			name:        "dns timeout",
			err:         opErr(&net.DNSError{Err: "timeout", IsTimeout: true}),
			wantTimeout: true,
		},
		{name: "refused", err: syscallErr(syscall.ECONNREFUSED), wantUnreachable: true},
		{name: "no route", err: syscallErr(syscall.EHOSTUNREACH), wantUnreachable: true},
		{name: "network down", err: opErr(syscall.ENETUNREACH), wantUnreachable: true},
		{
			name:            "no such host",
			err:             opErr(&net.DNSError{Err: "no such host", IsNotFound: true}),
			wantUnreachable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTimeout(tt.err); got != tt.wantTimeout {
				t.Errorf("IsTimeout(%v) = %v, want %v", tt.err, got, tt.wantTimeout)
			}
			if got := IsUnreachable(tt.err); got != tt.wantUnreachable {
				t.Errorf("IsUnreachable(%v) = %v, want %v", tt.err, got, tt.wantUnreachable)
			}
		})
	}
}

func TestBlockedErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *BlockedError
		want string
	}{
		{
			name: "with address",
			err:  &BlockedError{Host: "rebind.example", Addr: "10.0.0.1", Reason: "private address"},
			want: "blocked rebind.example at 10.0.0.1: private address",
		},
		{
			name: "literal address",
			err:  &BlockedError{Host: "10.0.0.1", Addr: "10.0.0.1", Reason: "private address"},
			want: "blocked 10.0.0.1: private address",
		},
		{
			name: "no host",
			err:  &BlockedError{Reason: `scheme "file" is not allowed`},
			want: `blocked request: scheme "file" is not allowed`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
