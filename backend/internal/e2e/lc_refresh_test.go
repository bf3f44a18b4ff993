package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
)

// TestProxy401NoRefreshStorm checks that a service answering 401 to
// every request cannot make Plugboard refresh without end: a token
// issued moments ago is not refreshed for a 401, which passes through.
func TestProxy401NoRefreshStorm(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	o := proxyOAuthConnection(t, pb, "refusing_api", time.Hour, nil)
	o.api.setHandler(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_token"}`))
	})

	for i := range 5 {
		a := pb.call(t, http.MethodGet, o.link, "me", nil, nil)
		if a.status != http.StatusUnauthorized {
			t.Fatalf("call %d: got status %d (%s), want the service's 401", i, a.status, a.body)
		}
	}
	if n := o.provider.refreshCount(); n > 1 {
		t.Errorf("got %d refreshes for 5 refused calls, want at most 1", n)
	}
}
