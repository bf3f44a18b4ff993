package lifecycle

import (
	"net/http"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestVerifyFillsClientID checks that the verification request carries
// the service's headers with its client id filled in, as proxied
// requests do.
func TestVerifyFillsClientID(t *testing.T) {
	srv, got := recordingServer(t)
	svc := &shared.Service{
		Name:       "Fake",
		AuthType:   shared.AuthAPIKey,
		APIBaseURL: srv.URL,
		Headers:    map[string]string{"X-Client": "id=" + shared.HeaderClientID, "X-Fixed": "v1"},
		Params:     []shared.Param{{Name: "X-Api-Key", In: shared.InHeader, Secret: true}},
		Verify:     &shared.VerifyRequest{Method: http.MethodGet, Path: "/me"},
	}
	svc.ClientID = "client-42"

	status, err := credManager(t).sendVerify(t.Context(), svc, map[string]string{"X-Api-Key": "k"}, nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("sendVerify: got %d, %v; want 200, no error", status, err)
	}
	r := <-got
	for h, want := range map[string]string{"X-Client": "id=client-42", "X-Fixed": "v1"} {
		if v := r.header.Get(h); v != want {
			t.Errorf("header %s: got %q, want %q", h, v, want)
		}
	}
}
