package ui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

func TestLoginToken(t *testing.T) {
	tests := []struct{ hash, want string }{
		{"#token=abc", "abc"},
		{"#token=a%2Bb&x=1", "a+b"},
		{"", ""},
		{"#other=1", ""},
	}
	for _, tt := range tests {
		if got := loginToken(tt.hash); got != tt.want {
			t.Errorf("loginToken(%q): got %q, want %q", tt.hash, got, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	unreachable := fmt.Errorf("%w: GET /x: connection refused", api.ErrUnreachable)
	validation := &shared.Problem{Status: 422, Code: shared.CodeValidation, Detail: "Invalid input.",
		Errors: shared.FieldErrors{{Field: "name", Message: "is required"},
			{Field: "name", Message: "second message"}}}
	rejected := fmt.Errorf("wrapped: %w", &shared.Problem{Status: 422,
		Code: shared.CodeCredentialsRejected, Title: "Unprocessable Entity"})

	tests := []struct {
		name        string
		err         error
		wantMessage string
		wantOffline bool
		wantFields  map[string]string
	}{
		{"unreachable", unreachable, "Plugboard cannot be reached. Check your network " +
			"connection and try again.", true, nil},
		{"field errors", validation, "Invalid input. Please correct the fields marked below.",
			false, map[string]string{"name": "is required"}},
		{"title when no detail", rejected, "Unprocessable Entity", false, nil},
		{"other", errors.New("boom"), "Something went wrong: boom", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := describe(tt.err)
			if f.Message != tt.wantMessage || f.Offline != tt.wantOffline {
				t.Errorf("got %q offline=%v, want %q offline=%v", f.Message, f.Offline,
					tt.wantMessage, tt.wantOffline)
			}
			if fmt.Sprint(f.Fields) != fmt.Sprint(tt.wantFields) {
				t.Errorf("fields: got %v, want %v", f.Fields, tt.wantFields)
			}
		})
	}
}

func TestSignInFailure(t *testing.T) {
	unauthorized := &shared.Problem{Status: 401, Code: shared.CodeUnauthorized, Detail: "no"}
	link := signInFailure(unauthorized, api.SignInRequest{LoginToken: "t"})
	key := signInFailure(unauthorized, api.SignInRequest{APIKey: "k"})
	if link.Message == key.Message || link.Message == "no" {
		t.Errorf("got %q and %q, want distinct plain messages", link.Message, key.Message)
	}
}

func TestAfterSignIn(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/connections/abc?outcome=connected", "/connections/abc?outcome=connected"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/signin?next=/x", "/"},
	}
	for _, tt := range tests {
		if got := afterSignIn(tt.next); got != tt.want {
			t.Errorf("afterSignIn(%q): got %q, want %q", tt.next, got, tt.want)
		}
	}
}
