package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// newUsersServer implements the user, account and session routes of
// CONTRACT.md by hand, with the contract's shapes. It keeps what the
// last request to a user's route sent in got.
func newUsersServer(t *testing.T, got *map[string]any) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"users": []any{
			userBody("u1", "ada", "admin", false),
			userBody("u2", "bob", "member", true),
		}})
	})
	mux.HandleFunc("POST /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		*got = decodeMap(r)
		if (*got)["username"] == "ada" {
			problem(w, http.StatusConflict, shared.CodeDuplicateUsername, "The username ada is taken.", nil)
			return
		}
		w.Header().Set("Location", "/api/v1/users/u3")
		writeJSON(w, http.StatusCreated, userBody("u3", fmt.Sprint((*got)["username"]),
			fmt.Sprint((*got)["role"]), false))
	})
	mux.HandleFunc("GET /api/v1/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "u/2" {
			problem(w, http.StatusNotFound, shared.CodeNotFound, "no such user", nil)
			return
		}
		writeJSON(w, http.StatusOK, userBody("u/2", "bob", "member", false))
	})
	mux.HandleFunc("PATCH /api/v1/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		*got = decodeMap(r)
		writeJSON(w, http.StatusOK, userBody(r.PathValue("id"), "bob", "admin", true))
	})
	mux.HandleFunc("DELETE /api/v1/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		problem(w, http.StatusConflict, shared.CodeUserHasRecords,
			"bob still owns 2 connections: disable them instead, or delete those first.", nil)
	})
	mux.HandleFunc("PUT /api/v1/account/password", func(w http.ResponseWriter, r *http.Request) {
		*got = decodeMap(r)
		if (*got)["current_password"] != "old password 1" {
			problem(w, http.StatusUnprocessableEntity, shared.CodeValidation, "Invalid input.",
				shared.FieldErrors{{Field: "current_password", Message: "is wrong"}})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /api/v1/sessions", func(w http.ResponseWriter, r *http.Request) {
		*got = map[string]any{"csrf": r.Header.Get("X-CSRF-Token")}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func userBody(id, username, role string, disabled bool) map[string]any {
	return map[string]any{"id": id, "username": username, "name": strings.ToUpper(username),
		"role": role, "disabled": disabled, "has_password": true,
		"created_at": "2030-01-01T00:00:00Z", "last_sign_in_at": "2030-01-05T00:00:00Z"}
}

// decodeMap reads a JSON object body; a body that is not one decodes to
// a map holding only "invalid".
func decodeMap(r *http.Request) map[string]any {
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		return map[string]any{"invalid": err.Error()}
	}
	return m
}

func TestUsers(t *testing.T) {
	var got map[string]any
	c := New(newUsersServer(t, &got).URL, WithAPIKey(testKey))
	ctx := context.Background()

	users, err := c.ListUsers(ctx)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	signedIn := time.Date(2030, 1, 5, 0, 0, 0, 0, time.UTC)
	if len(users) != 2 || users[0].Role != shared.RoleAdmin || !users[1].Disabled ||
		!users[0].LastSignInAt.Equal(signedIn) {
		t.Errorf("list: got %+v, want ada (admin) and bob (disabled)", users)
	}

	u, err := c.CreateUser(ctx, shared.UserInput{Username: "cy", Role: shared.RoleMember,
		Password: "a long first password"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if u.ID != "u3" || u.Username != "cy" || u.Role != shared.RoleMember {
		t.Errorf("create: got %+v, want cy, a member", u)
	}
	if got["password"] != "a long first password" || got["name"] != nil {
		t.Errorf("create sent %v, want the password and no empty name", got)
	}
	_, err = c.CreateUser(ctx, shared.UserInput{Username: "ada", Role: shared.RoleMember})
	p, ok := AsProblem(err)
	if !ok || p.Status != http.StatusConflict || p.Code != shared.CodeDuplicateUsername {
		t.Errorf("create taken: got %v, want a 409 duplicate_username problem", err)
	}

	if u, err := c.GetUser(ctx, "u/2"); err != nil || u.ID != "u/2" {
		t.Errorf("get with an escaped id: got %+v, %v", u, err)
	}
}

func TestUpdateUserSendsOnlyGivenFields(t *testing.T) {
	var got map[string]any
	c := New(newUsersServer(t, &got).URL, WithAPIKey(testKey))
	admin, off := shared.RoleAdmin, true

	u, err := c.UpdateUser(context.Background(), "u2", shared.UserPatch{Role: &admin, Disabled: &off})
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != shared.RoleAdmin || !u.Disabled {
		t.Errorf("answer: got %+v, want an admin, disabled", u)
	}
	if len(got) != 2 || got["role"] != "admin" || got["disabled"] != true {
		t.Errorf("sent %v, want only role and disabled", got)
	}
}

func TestDeleteUserHasRecords(t *testing.T) {
	var got map[string]any
	c := New(newUsersServer(t, &got).URL, WithAPIKey(testKey))

	err := c.DeleteUser(context.Background(), "u2")
	p, ok := AsProblem(err)
	if !ok || p.Code != shared.CodeUserHasRecords || !strings.Contains(p.Detail, "disable them instead") {
		t.Errorf("got %v, want the 409 user_has_records problem with the server's words", err)
	}
}

func TestChangePassword(t *testing.T) {
	var got map[string]any
	c := New(newUsersServer(t, &got).URL, WithAPIKey(testKey))
	ctx := context.Background()

	err := c.ChangePassword(ctx, shared.PasswordChange{CurrentPassword: "old password 1",
		NewPassword: "new password 12"})
	if err != nil || got["new_password"] != "new password 12" {
		t.Fatalf("change: got %v, sent %v", err, got)
	}

	err = c.ChangePassword(ctx, shared.PasswordChange{NewPassword: "new password 12"})
	p, ok := AsProblem(err)
	if !ok || len(p.Errors) != 1 || p.Errors[0].Field != "current_password" {
		t.Errorf("wrong current: got %v, want a field error on current_password", err)
	}
	if _, sent := got["current_password"]; sent {
		t.Errorf("without a current password: sent %v, want the field left out", got)
	}
}

func TestEndSessions(t *testing.T) {
	var got map[string]any
	c := New(newUsersServer(t, &got).URL, WithCSRFToken(testCSRF))

	if err := c.EndSessions(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got["csrf"] != testCSRF {
		t.Errorf("X-CSRF-Token sent: got %v, want %q", got["csrf"], testCSRF)
	}
	if c.CSRFToken() != "" {
		t.Errorf("token after signing out everywhere: got %q, want none", c.CSRFToken())
	}
}

func TestSignInWithPassword(t *testing.T) {
	mux := http.NewServeMux()
	var attempts int
	mux.HandleFunc("POST /api/v1/session", func(w http.ResponseWriter, r *http.Request) {
		in := decodeMap(r)
		attempts++
		switch {
		case attempts > 2:
			w.Header().Set("Retry-After", "42")
			problem(w, http.StatusTooManyRequests, shared.CodeRateLimited, "Too many attempts.", nil)
		case in["username"] != "ada" || in["password"] != "correct horse battery":
			problem(w, http.StatusUnauthorized, shared.CodeUnauthorized,
				"The username or password is wrong.", nil)
		default:
			http.SetCookie(w, &http.Cookie{Name: "pb_session", Value: "s1", Path: "/", HttpOnly: true})
			writeJSON(w, http.StatusOK, sessionBody())
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := New(srv.URL, WithHTTPClient(&http.Client{Jar: jar}))
	ctx := context.Background()

	_, err := c.SignIn(ctx, SignInRequest{Username: "ada", Password: "wrong"})
	if !IsUnauthorized(err) {
		t.Fatalf("wrong password: got %v, want 401", err)
	}
	s, err := c.SignIn(ctx, SignInRequest{Username: "ada", Password: "correct horse battery"})
	if err != nil || s.User.Username != "ada" || c.CSRFToken() != testCSRF {
		t.Fatalf("right password: got %+v, %v", s, err)
	}
	_, err = c.SignIn(ctx, SignInRequest{Username: "ada", Password: "again"})
	if p, ok := AsProblem(err); !ok || p.Code != shared.CodeRateLimited || p.RetryAfter != 42 {
		t.Errorf("rate limited: got %v (%+v), want 429 with RetryAfter 42", err, p)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, header string
		want         int
	}{
		{"seconds", "30", 30},
		{"spaces", " 7 ", 7},
		{"HTTP date", now.Add(90 * time.Second).Format(http.TimeFormat), 90},
		{"past date", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"negative", "-5", 0},
		{"absent", "", 0},
		{"garbage", "soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.header, now); got != tt.want {
				t.Errorf("retryAfter(%q): got %d, want %d", tt.header, got, tt.want)
			}
		})
	}
}

func TestRetryAfterBodyWins(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "99")
		w.Header().Set("Content-Type", shared.ProblemContentType)
		w.WriteHeader(http.StatusTooManyRequests)
		json.NewEncoder(w).Encode(shared.Problem{Status: 429, Code: shared.CodeRateLimited, RetryAfter: 5})
	}))
	t.Cleanup(srv.Close)

	_, err := New(srv.URL).Health(context.Background())
	if p, ok := AsProblem(err); !ok || p.RetryAfter != 5 {
		t.Errorf("got %v, want RetryAfter 5 from the body", err)
	}
}

func TestSignInRequestHidesSecrets(t *testing.T) {
	reqs := []SignInRequest{
		{Username: "ada", Password: "s3cret-password"},
		{APIKey: "pb_key_s3cret"},
		{LoginToken: "tok-s3cret"},
	}
	for _, r := range reqs {
		var log strings.Builder
		slog.New(slog.NewTextHandler(&log, nil)).Info("x", "req", r)
		for _, out := range []string{fmt.Sprintf("%v %+v %#v %s", r, r, r, r), log.String()} {
			if strings.Contains(out, "s3cret") {
				t.Errorf("printed %q, want no secret", out)
			}
		}
	}
	var b strings.Builder
	fmt.Fprint(&b, SignInRequest{Username: "ada", Password: "x"})
	if !strings.Contains(b.String(), `"ada"`) {
		t.Errorf("got %q, want the username named", b.String())
	}
}
