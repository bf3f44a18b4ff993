package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestBadBodies sends every route that reads a body the same kinds of bad
// input. Each must answer its 4xx problem document, and nothing stored
// may change.
func TestBadBodies(t *testing.T) {
	f := newFixture(t, env.key)
	routes := []struct {
		name, method, path string
	}{
		{"create service", http.MethodPost, "/api/v1/services"},
		{"patch service", http.MethodPatch, "/api/v1/services/" + f.svc.ID},
		{"patch built-in service", http.MethodPatch, "/api/v1/services/github"},
		{"create connection", http.MethodPost, "/api/v1/connections"},
		{"patch connection", http.MethodPatch, "/api/v1/connections/" + f.conn.ID},
		{"authorize", http.MethodPost, "/api/v1/connections/" + f.conn.ID + "/authorize"},
		{"sign in", http.MethodPost, "/api/v1/session"},
	}
	oversize := raw(`{"name": "` + strings.Repeat("a", 1<<20+1) + `"}`)
	bodies := []struct {
		name   string
		body   any
		ct     string
		status int
		code   shared.Code
		field  string
	}{
		{name: "malformed", body: raw(`{"name": "x",}`), status: 400, code: shared.CodeInvalidJSON},
		{name: "cut short", body: raw(`{"name": "x"`), status: 400, code: shared.CodeInvalidJSON},
		{name: "two values", body: raw(`{} {}`), status: 400, code: shared.CodeInvalidJSON},
		{name: "trailing garbage", body: raw(`{} ]`), status: 400, code: shared.CodeInvalidJSON},
		{name: "array", body: raw(`[{"name": "x"}]`), status: 400, code: shared.CodeInvalidJSON},
		{name: "string", body: raw(`"name"`), status: 400, code: shared.CodeInvalidJSON},
		{name: "not json at all", body: raw(`name=x`), status: 400, code: shared.CodeInvalidJSON},
		{name: "deeply nested", body: raw(strings.Repeat(`{"a":`, 20000)), status: 400, code: shared.CodeInvalidJSON},
		{name: "unknown field", body: obj{"no_such_field": 1}, status: 400, code: shared.CodeUnknownField, field: "no_such_field"},
		{name: "field name in other case", body: obj{"Name": "x"}, status: 400, code: shared.CodeUnknownField, field: "Name"},
		{name: "oversize", body: oversize, status: 413, code: shared.CodeBodyTooLarge},
		{name: "text content type", body: obj{"name": "x"}, ct: "text/plain", status: 415, code: shared.CodeUnsupportedMedia},
		{name: "form content type", body: raw("name=x"), ct: "application/x-www-form-urlencoded", status: 415, code: shared.CodeUnsupportedMedia},
		{name: "multipart content type", body: raw("--b--"), ct: "multipart/form-data; boundary=b", status: 415, code: shared.CodeUnsupportedMedia},
	}
	for _, rt := range routes {
		for _, b := range bodies {
			t.Run(rt.name+"/"+b.name, func(t *testing.T) {
				before := snapshot(t, env.key, f)
				r := send(t, request{method: rt.method, path: rt.path, key: env.key, body: b.body, contentType: b.ct})
				p := wantProblem(t, r, b.status, b.code)
				if b.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != b.field) {
					t.Errorf("got errors %v, want one about %s", p.Errors, b.field)
				}
				if p.Detail == "" {
					t.Errorf("got no detail, want a plain explanation")
				}
				wantUnchanged(t, before, snapshot(t, env.key, f))
			})
		}
	}
}

// TestWrongTypes sends values of the wrong JSON type: each is a
// validation failure naming the field as the JSON has it.
func TestWrongTypes(t *testing.T) {
	f := newFixture(t, env.key)
	tests := []struct {
		name, method, path string
		body               string
		field              string
	}{
		{"service name", http.MethodPost, "/api/v1/services", `{"name": 1}`, "name"},
		{"service params", http.MethodPost, "/api/v1/services", `{"params": {"name": "x"}}`, "params"},
		{"param required flag", http.MethodPost, "/api/v1/services", `{"params": [{"required": "yes"}]}`, "params.required"},
		{"oauth scopes", http.MethodPost, "/api/v1/services", `{"scopes": "read"}`, "scopes"},
		{"pkce", http.MethodPost, "/api/v1/services", `{"pkce": "no"}`, "pkce"},
		{"client id", http.MethodPost, "/api/v1/services", `{"client_id": 5}`, "client_id"},
		{"expected status", http.MethodPost, "/api/v1/services", `{"verify_request": {"expected_status": ["200"]}}`, "verify_request.expected_status"},
		{"patch service name", http.MethodPatch, "/api/v1/services/" + f.svc.ID, `{"name": false}`, "name"},
		{"patch built-in client id", http.MethodPatch, "/api/v1/services/github", `{"client_id": 5}`, "client_id"},
		{"connection name", http.MethodPost, "/api/v1/connections", `{"name": ["x"]}`, "name"},
		{"connection config", http.MethodPost, "/api/v1/connections", `{"config": ["x"]}`, "config"},
		{"connection config value", http.MethodPost, "/api/v1/connections", `{"config": {"subdomain": 5}}`, "config"},
		{"patch link name", http.MethodPatch, "/api/v1/connections/" + f.conn.ID, `{"link_name": 5}`, "link_name"},
		{"authorize params", http.MethodPost, "/api/v1/connections/" + f.conn.ID + "/authorize", `{"params": "u:p"}`, "params"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, env.key, f)
			r := call(t, tt.method, tt.path, env.key, raw(tt.body))
			p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
			if len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Field, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			wantUnchanged(t, before, snapshot(t, env.key, f))
		})
	}
}

// TestUnknownRoutes checks that what the API does not have answers a
// problem document too.
func TestUnknownRoutes(t *testing.T) {
	tests := []struct {
		method, path string
	}{
		{http.MethodGet, "/api/v1/nothing"},
		{http.MethodPut, "/api/v1/services/github"},
		{http.MethodPost, "/api/v1/services/github"},
		{http.MethodPut, "/api/v1/connections"},
		{http.MethodGet, "/api/v1/connections/a/b/c"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := call(t, tt.method, tt.path, env.key, nil)
			if r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
				t.Fatalf("%s: got status %d, want 404 or 405", r, r.status)
			}
			wantProblem(t, r, r.status, map[int]shared.Code{404: shared.CodeNotFound, 405: shared.CodeMethodNotAllowed}[r.status])
		})
	}
}
