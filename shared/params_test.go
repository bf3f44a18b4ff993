package shared

import (
	"slices"
	"strings"
	"testing"
)

// paramsTestService takes a Basic Auth user name and password, an account
// given at creation, and an optional region with options and a default.
func paramsTestService() *Service {
	return &Service{
		Name:     "Fake",
		AuthType: AuthBasic,
		Params: []Param{
			{Name: "account", DisplayName: "Account", In: InPlaceholder, Required: true},
			{Name: "region", DisplayName: "Region", In: InPlaceholder,
				Options: []string{"eu", "us"}, Default: "eu"},
			// The pattern lets through what only the RFC 7617 checks catch.
			{Name: "user", DisplayName: "Username", In: InUsername, Required: true,
				Pattern: `[a-z:]+|[^a-z]+`},
			{Name: "pass", DisplayName: "Password", In: InPassword, Secret: true, Required: true},
		},
	}
}

func TestCheckParamValues(t *testing.T) {
	tests := []struct {
		name       string
		values     map[string]string
		atCreation bool
		wantFields []string
	}{
		{name: "right credentials", values: map[string]string{"user": "ada", "pass": "p:w d"}},
		{name: "missing password", values: map[string]string{"user": "ada"},
			wantFields: []string{"params.pass"}},
		{name: "empty values", values: map[string]string{"user": "", "pass": ""},
			wantFields: []string{"params.pass", "params.user"}},
		{name: "unknown name", values: map[string]string{"user": "ada", "pass": "p", "x": "1"},
			wantFields: []string{"params.x"}},
		{name: "creation value at authorization",
			values:     map[string]string{"user": "ada", "pass": "p", "account": "a"},
			wantFields: []string{"params.account"}},
		{name: "username with a colon", values: map[string]string{"user": "ada:x", "pass": "p"},
			wantFields: []string{"params.user"}},
		{name: "username with a control character",
			values:     map[string]string{"user": "\x01", "pass": "p"},
			wantFields: []string{"params.user"}},
		{name: "password with a line break",
			values:     map[string]string{"user": "ada", "pass": "p\nw"},
			wantFields: []string{"params.pass"}},
		{name: "pattern mismatch", values: map[string]string{"user": "Ada", "pass": "p"},
			wantFields: []string{"params.user"}},
		{name: "creation values", atCreation: true,
			values: map[string]string{"account": "acme", "region": "us"}},
		{name: "optional value left out", atCreation: true,
			values: map[string]string{"account": "acme"}},
		{name: "not one of the options", atCreation: true,
			values:     map[string]string{"account": "acme", "region": "ap"},
			wantFields: []string{"config.region"}},
		{name: "credential at creation", atCreation: true,
			values:     map[string]string{"account": "acme", "pass": "p"},
			wantFields: []string{"config.pass"}},
		{name: "placeholder that changes the path", atCreation: true,
			values:     map[string]string{"account": "a/../b"},
			wantFields: []string{"config.account"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := CheckParamValues(paramsTestService(), tt.values, tt.atCreation)
			var fields []string
			for _, e := range fe {
				fields = append(fields, e.Field)
				for _, v := range tt.values {
					if len(v) > 2 && strings.Contains(e.Message, v) {
						t.Errorf("message %q repeats the value %q", e.Message, v)
					}
				}
			}
			if !slices.Equal(fields, tt.wantFields) {
				t.Errorf("fields: got %v, want %v (%v)", fields, tt.wantFields, fe)
			}
		})
	}
}
