package e2e

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestEdgeDiscoveryFailures checks the answers when an issuer's metadata
// cannot be had, and that these failures of the issuer, not of the
// server, are logged at WARN, never at ERROR.
func TestEdgeDiscoveryFailures(t *testing.T) {
	pb := startPlugboard(t, withLogs(slog.LevelDebug))
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)

	tests := []struct {
		name       string
		issuer     string
		wantStatus int
		wantCode   shared.Code
	}{
		{name: "metadata address", issuer: "http://169.254.169.254/x",
			wantStatus: http.StatusUnprocessableEntity, wantCode: shared.CodeDestinationBlocked},
		{name: "private address", issuer: "http://10.1.2.3",
			wantStatus: http.StatusUnprocessableEntity, wantCode: shared.CodeDestinationBlocked},
		{name: "issuer failing", issuer: failing.URL,
			wantStatus: http.StatusBadGateway, wantCode: shared.CodeProviderError},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := shared.Service{ID: "disc" + string(rune('a'+i)), Name: "Discovered", AuthType: shared.AuthOAuth2,
				OAuth2: shared.OAuth2{Issuer: tt.issuer, ClientID: "c"}}
			a := pb.request(t, http.MethodPost, "/api/v1/services", svc)
			if a.status != tt.wantStatus {
				t.Fatalf("got status %d (%s), want %d", a.status, a.body, tt.wantStatus)
			}
			if p := a.problem(t); p.Code != tt.wantCode || p.Detail == "" {
				t.Errorf("got code %q with detail %q, want %q with a detail", p.Code, p.Detail, tt.wantCode)
			}
		})
	}
	logs := pb.logs.String()
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("got an ERROR line for an issuer's failure, want WARN: %s", line)
		}
	}
	if !strings.Contains(logs, "level=WARN msg=request method=POST path=/api/v1/services status=502") ||
		!strings.Contains(logs, "err=") {
		t.Errorf("the log has no WARN line with the cause of the 502, want one:\n%s", logs)
	}
}
