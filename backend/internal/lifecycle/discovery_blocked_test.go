package lifecycle

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestDiscoverUnreachable checks that an issuer the guarded client may
// not or cannot reach is reported as such, not as the provider's error.
func TestDiscoverUnreachable(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := "http://" + closed.Addr().String()
	closed.Close()

	tests := []struct {
		name     string
		issuer   string
		wantCode shared.Code
		wantText string
	}{
		{name: "link-local address", issuer: "http://169.254.169.254/x",
			wantCode: shared.CodeDestinationBlocked, wantText: "PLUGBOARD_ALLOW_HOSTS"},
		{name: "private address", issuer: "https://10.0.0.1",
			wantCode: shared.CodeDestinationBlocked, wantText: "not allowed"},
		{name: "nothing listening", issuer: gone,
			wantCode: shared.CodeUpstreamUnreachable, wantText: "could not be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := shared.Service{AuthType: shared.AuthOAuth2, OAuth2: shared.OAuth2{Issuer: tt.issuer}}

			err := discoveryManager(t).discover(t.Context(), &svc)

			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("discover() error = %v, want a *lifecycle.Error", err)
			}
			if le.Code != tt.wantCode || !strings.Contains(le.Detail, tt.wantText) {
				t.Errorf("discover() = %s %q, want %s with %q", le.Code, le.Detail, tt.wantCode, tt.wantText)
			}
		})
	}
}
