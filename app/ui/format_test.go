package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

func TestRelativeTime(t *testing.T) {
	now := time.Date(2030, 5, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"zero", time.Time{}, "never"},
		{"seconds", now.Add(-20 * time.Second), "just now"},
		{"one minute", now.Add(-time.Minute), "1 minute ago"},
		{"minutes", now.Add(-5 * time.Minute), "5 minutes ago"},
		{"hours", now.Add(-3 * time.Hour), "3 hours ago"},
		{"days", now.Add(-50 * time.Hour), "2 days ago"},
		{"future", now.Add(40 * time.Minute), "in 40 minutes"},
		{"long ago", time.Date(2029, 1, 2, 0, 0, 0, 0, time.UTC), "2 Jan 2029"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := relativeTime(now, tt.t); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusActions(t *testing.T) {
	tests := []struct {
		status    shared.Status
		label     string
		revocable bool
		class     string
	}{
		{shared.StatusPending, "Connect", false, "badge badge-pending"},
		{shared.StatusConnected, "", true, "badge badge-connected"},
		{shared.StatusNeedsReauth, "Re-authorize", true, "badge badge-needs-reauth"},
		{shared.StatusRevoked, "Re-authorize", false, "badge badge-revoked"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			label, ok := needsAuthorizing(tt.status)
			if label != tt.label || ok != (tt.label != "") {
				t.Errorf("authorize: got %q %v, want %q", label, ok, tt.label)
			}
			if got := canRevoke(tt.status); got != tt.revocable {
				t.Errorf("revoke: got %v, want %v", got, tt.revocable)
			}
			if got := statusClass(tt.status); got != tt.class {
				t.Errorf("class: got %q, want %q", got, tt.class)
			}
		})
	}
}

func TestEventLabel(t *testing.T) {
	if got := eventLabel(shared.EventVerificationFailed); got != "Verification failed" {
		t.Errorf("got %q", got)
	}
	if got := eventLabel("new_kind"); got != "new kind" {
		t.Errorf("unknown type: got %q", got)
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct{ label, msg, want string }{
		{"Client ID", "is required", "Client ID is required"},
		{"Region (optional)", "must be one of [eu us]", "Region must be one of [eu us]"},
		{"Data center", "Data center is required", "Data center is required"},
		{"Name", "", ""},
	}
	for _, tt := range tests {
		if got := errorText(tt.label, tt.msg); got != tt.want {
			t.Errorf("errorText(%q, %q): got %q, want %q", tt.label, tt.msg, got, tt.want)
		}
	}
}

func TestOutcomeNotice(t *testing.T) {
	c := shared.Connection{Name: "GitHub", LastError: "GitHub refused the request: access_denied."}
	if n := outcomeNotice("connected", c); n.Kind != noticeSuccess {
		t.Errorf("connected: got %+v", n)
	}
	n := outcomeNotice("failed", c)
	if n.Kind != noticeError || n.Text != "Authorization failed: "+c.LastError {
		t.Errorf("failed: got %+v", n)
	}
}

func TestOAuthFailureText(t *testing.T) {
	seen := map[string]string{}
	for _, code := range []string{"state_expired", "state_unknown", "connection_gone", "internal_error", "other_browser", ""} {
		txt := oauthFailureText(code)
		if other, dup := seen[txt]; dup {
			t.Errorf("%q and %q: got the same text %q", code, other, txt)
		}
		seen[txt] = code
	}
	if txt := oauthFailureText("<b>pay here</b>"); strings.Contains(txt, "pay here") {
		t.Errorf("unknown code: got %q, which repeats the address's text", txt)
	}
}
