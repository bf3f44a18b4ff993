package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

func TestSignInFailureWords(t *testing.T) {
	pw := api.SignInRequest{Username: "ada", Password: "x"}
	tests := []struct {
		name string
		err  error
		in   api.SignInRequest
		want string
	}{
		{"wrong password, server's words", &shared.Problem{Status: 401, Code: shared.CodeUnauthorized,
			Detail: "The username or password is wrong."}, pw, "The username or password is wrong."},
		{"wrong password, no words", &shared.Problem{Status: 401, Code: shared.CodeUnauthorized,
			Title: "Unauthorized"}, pw, "The username or password is wrong."},
		{"too many, Retry-After", &shared.Problem{Status: 429, Code: shared.CodeRateLimited,
			Detail: "Slow down.", RetryAfter: 30}, pw, "Too many attempts. Try again in 30 s."},
		{"too many, detail only", &shared.Problem{Status: 429, Code: shared.CodeRateLimited,
			Detail: "Too many attempts; wait a minute."}, pw, "Too many attempts; wait a minute."},
		{"too many with a key", fmt.Errorf("wrapped: %w", &shared.Problem{Status: 429,
			Code: shared.CodeRateLimited, RetryAfter: 2}), api.SignInRequest{APIKey: "k"},
			"Too many attempts. Try again in 2 s."},
		{"server error", &shared.Problem{Status: 500, Code: shared.CodeInternal, Detail: "Boom."},
			pw, "Boom."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signInFailure(tt.err, tt.in).Message; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEveryAuditActionHasWords(t *testing.T) {
	for _, a := range shared.AuditActions {
		if _, ok := auditLabels[a]; !ok {
			t.Errorf("audit action %s: no words for it", a)
		}
	}
	if got := auditLabel("something_new"); got != "Something new" {
		t.Errorf("unknown action: got %q, want %q", got, "Something new")
	}
	if got := len(auditOptions()); got != len(shared.AuditActions)+1 {
		t.Errorf("filter options: got %d, want every action and All", got)
	}
}

func TestPasswordErrors(t *testing.T) {
	long := "correct horse battery"
	tests := []struct {
		name string
		d    passwordDraft
		has  bool
		want map[string]string
	}{
		{"fine", passwordDraft{Current: "old one", New: long, Confirm: long}, true, map[string]string{}},
		{"first password needs no current", passwordDraft{New: long, Confirm: long}, false,
			map[string]string{}},
		{"current missing", passwordDraft{New: long, Confirm: long}, true,
			map[string]string{"current_password": "is required"}},
		{"too short, no match", passwordDraft{Current: "x", New: "short", Confirm: "shirt"}, true,
			map[string]string{"new_password": "must be at least 12 characters",
				"confirm": "does not match the new password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := passwordErrors(tt.d, tt.has)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCreateUserFailure(t *testing.T) {
	taken := &shared.Problem{Status: 409, Code: shared.CodeDuplicateUsername,
		Detail: "The username bob is taken."}
	if got := createUserFailure(taken).Fields["username"]; got != "The username bob is taken." {
		t.Errorf("taken username: field error %q, want the server's words", got)
	}
	invalid := &shared.Problem{Status: 422, Code: shared.CodeValidation, Detail: "Invalid.",
		Errors: shared.FieldErrors{{Field: "password", Message: "is too short"}}}
	f := createUserFailure(invalid)
	if f.Fields["password"] != "is too short" || f.Fields["username"] != "" {
		t.Errorf("validation: got fields %v, want only password", f.Fields)
	}
}

func TestAuditWords(t *testing.T) {
	tests := []struct {
		e          shared.AuditEntry
		target     string
		via        string
		wantFailed bool
	}{
		{shared.AuditEntry{TargetType: "user", TargetName: "bob", TargetID: "u2", Via: "session"},
			"User bob", "in the browser", false},
		{shared.AuditEntry{TargetType: "api_key", TargetID: "k1", Via: "api_key:k9"},
			"API key k1", "with an API key", false},
		{shared.AuditEntry{Via: "system"}, "—", "", false},
		{shared.AuditEntry{TargetType: "odd_kind", TargetName: "x"}, "odd kind x", "", false},
	}
	for _, tt := range tests {
		if got := targetText(tt.e); got != tt.target {
			t.Errorf("targetText(%+v): got %q, want %q", tt.e, got, tt.target)
		}
		if got := viaText(tt.e.Via); got != tt.via {
			t.Errorf("viaText(%q): got %q, want %q", tt.e.Via, got, tt.via)
		}
	}
}

func TestFieldMap(t *testing.T) {
	err := shared.UserInput{Username: "Bad Name", Role: "boss", Password: "short"}.Check()
	got := fieldMap(err)
	for _, f := range []string{"username", "role", "password"} {
		if got[f] == "" {
			t.Errorf("field %s: no message in %v", f, got)
		}
	}
	if fieldMap(nil) != nil {
		t.Errorf("nil error: want no fields")
	}
}

func TestUserWords(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := displayName(shared.User{Username: "bob", Name: " "}); got != "bob" {
		t.Errorf("displayName without a name: got %q, want the username", got)
	}
	if got := userStatus(shared.User{Disabled: true, HasPassword: true}); got != "Disabled" {
		t.Errorf("userStatus: got %q", got)
	}
	if got := usedText(now, time.Time{}); got != "Never" {
		t.Errorf("usedText(zero): got %q", got)
	}
	admin := shared.RoleAdmin
	got := patchDone(shared.User{Username: "bob", Role: admin}, shared.UserPatch{Role: &admin})
	if got != "bob is now an admin." {
		t.Errorf("patchDone: got %q", got)
	}
}
