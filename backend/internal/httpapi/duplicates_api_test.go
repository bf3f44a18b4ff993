package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestDuplicateNames sends bodies that give a name twice in one object:
// each is refused as invalid JSON naming the field, whatever the last
// value would have been, and nothing changes.
func TestDuplicateNames(t *testing.T) {
	f := newFixture(t, env.key)
	tests := []struct {
		name, method, path string
		body               string
		field              string
	}{
		{"connection name", http.MethodPost, "/api/v1/connections",
			`{"name":"x","service_id":"` + f.svc.ID + `","config":{"subdomain":"a"},"name":"y"}`, "name"},
		{"connection config", http.MethodPost, "/api/v1/connections",
			`{"name":"x","service_id":"` + f.svc.ID + `","config":{"subdomain":"a","subdomain":"b"}}`,
			"config.subdomain"},
		{"patch link name", http.MethodPatch, "/api/v1/connections/" + f.conn.ID,
			`{"link_name":"a","link_name":"b"}`, "link_name"},
		{"service param", http.MethodPost, "/api/v1/services",
			`{"id":"dup","params":[{"name":"a","name":"b"}]}`, "params.name"},
		{"sign-in", http.MethodPost, "/api/v1/session",
			`{"username":"a","password":"b","username":"c"}`, "username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, env.key, f)
			r := call(t, tt.method, tt.path, env.key, raw(tt.body))
			p := wantProblem(t, r, http.StatusBadRequest, shared.CodeInvalidJSON)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			wantUnchanged(t, before, snapshot(t, env.key, f))
		})
	}
}
