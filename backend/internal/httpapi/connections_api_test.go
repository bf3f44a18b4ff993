package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

type connectionList struct {
	Connections []shared.Connection `json:"connections"`
}

type eventList struct {
	Events []shared.Event `json:"events"`
}

func connectionIDs(l connectionList) []string {
	ids := make([]string, len(l.Connections))
	for i, c := range l.Connections {
		ids[i] = c.ID
	}
	return ids
}

func TestCreateConnection(t *testing.T) {
	basic := createService(t, env.key, basicService(unique("conn-basic-")))
	docs := createService(t, env.key, oauthService(unique("conn-oauth-"), "secret"))

	t.Run("pending, with derived link name and defaults", func(t *testing.T) {
		name := "My Shop (EU) " + unique("")
		r := call(t, http.MethodPost, "/api/v1/connections", env.key, obj{
			"name": name, "service_id": basic.ID, "config": obj{"subdomain": "acme"},
		})
		wantStatus(t, r, http.StatusCreated)
		c := decodeAs[shared.Connection](t, r)
		if c.Status != shared.StatusPending || c.ServiceID != basic.ID || c.Name != name {
			t.Errorf("got status %s service %q name %q, want pending %q %q", c.Status, c.ServiceID, c.Name, basic.ID, name)
		}
		if want := shared.SuggestLinkName(name); c.LinkName != want {
			t.Errorf("got link name %q, want %q", c.LinkName, want)
		}
		if c.Config["subdomain"] != "acme" || c.Config["region"] != "eu" {
			t.Errorf("got config %v, want subdomain acme and the default region eu", c.Config)
		}
		if !shared.IsConnectionID(c.ID) || c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
			t.Errorf("got id %q created %v updated %v, want an id and equal times", c.ID, c.CreatedAt, c.UpdatedAt)
		}
		if got, want := r.header.Get("Location"), "/api/v1/connections/"+c.ID; got != want {
			t.Errorf("got Location %q, want %q", got, want)
		}
		if !strings.Contains(string(r.body), `"scopes":[]`) || !strings.Contains(string(r.body), `"granted_scopes":[]`) {
			t.Errorf("got body %s, want empty scope lists as []", r.body)
		}

		again := createConnection(t, env.key, obj{"name": name, "service_id": basic.ID, "config": obj{"subdomain": "acme"}})
		if again.LinkName != c.LinkName+"_2" {
			t.Errorf("got second link name %q, want %q", again.LinkName, c.LinkName+"_2")
		}
	})

	t.Run("name that looks like an id", func(t *testing.T) {
		// The derived link name may not be taken for an id.
		name := "abcdef0123456789abcdef01"
		c := createConnection(t, env.key, obj{"name": name, "service_id": docs.ID})
		if shared.CheckLinkName(c.LinkName) != "" || !strings.HasPrefix(c.LinkName, "c_"+name) {
			t.Errorf("got link name %q, want a valid one made from %q", c.LinkName, name)
		}
	})

	t.Run("oauth2 scopes default to the service's", func(t *testing.T) {
		c := createConnection(t, env.key, obj{"name": unique("Docs "), "service_id": docs.ID})
		if !slices.Equal(c.Scopes, []string{"read"}) {
			t.Errorf("got scopes %v, want [read]", c.Scopes)
		}
		c = createConnection(t, env.key, obj{
			"name": unique("Docs "), "service_id": docs.ID, "scopes": []string{"write", "admin", "write"},
		})
		if !slices.Equal(c.Scopes, []string{"write", "admin"}) {
			t.Errorf("got scopes %v, want [write admin]", c.Scopes)
		}
	})

	t.Run("built-in service", func(t *testing.T) {
		c := createConnection(t, env.key, obj{
			"name": unique("GitHub "), "service_id": "github", "scopes": []string{"repo"},
		})
		if c.ServiceID != "github" || !slices.Equal(c.Scopes, []string{"repo"}) {
			t.Errorf("got service %q scopes %v, want github [repo]", c.ServiceID, c.Scopes)
		}
	})

	taken := createConnection(t, env.key, obj{
		"name": "Taken", "link_name": unique("taken_"), "service_id": basic.ID, "config": obj{"subdomain": "acme"},
	})
	failures := []struct {
		name   string
		body   obj
		status int
		code   shared.Code
		field  string
	}{
		{name: "link name taken", body: obj{"name": "x", "link_name": taken.LinkName, "service_id": basic.ID,
			"config": obj{"subdomain": "acme"}}, status: 409, code: shared.CodeDuplicateLinkName},
		{name: "no name", body: obj{"service_id": basic.ID, "config": obj{"subdomain": "acme"}},
			status: 422, code: shared.CodeValidation, field: "name"},
		{name: "name with control characters", body: obj{"name": "a\nb", "service_id": basic.ID,
			"config": obj{"subdomain": "acme"}}, status: 422, code: shared.CodeValidation, field: "name"},
		{name: "no service", body: obj{"name": "x"}, status: 422, code: shared.CodeValidation, field: "service_id"},
		{name: "unknown service", body: obj{"name": "x", "service_id": "no-such-service"},
			status: 422, code: shared.CodeValidation, field: "service_id"},
		{name: "upper-case link name", body: obj{"name": "x", "link_name": "Shop", "service_id": basic.ID,
			"config": obj{"subdomain": "acme"}}, status: 422, code: shared.CodeValidation, field: "link_name"},
		{name: "link name starting with a digit", body: obj{"name": "x", "link_name": "1shop", "service_id": basic.ID,
			"config": obj{"subdomain": "acme"}}, status: 422, code: shared.CodeValidation, field: "link_name"},
		{name: "link name with a dash", body: obj{"name": "x", "link_name": "my-shop", "service_id": basic.ID,
			"config": obj{"subdomain": "acme"}}, status: 422, code: shared.CodeValidation, field: "link_name"},
		{name: "link name like an id", body: obj{"name": "x", "link_name": "abcdef0123456789abcdef01", "service_id": basic.ID,
			"config": obj{"subdomain": "acme"}}, status: 422, code: shared.CodeValidation, field: "link_name"},
		{name: "link name too long", body: obj{"name": "x", "link_name": "a" + strings.Repeat("b", 63), "service_id": basic.ID,
			"config": obj{"subdomain": "acme"}}, status: 422, code: shared.CodeValidation, field: "link_name"},
		{name: "scope not of the service", body: obj{"name": "x", "service_id": docs.ID, "scopes": []string{"read", "root"}},
			status: 422, code: shared.CodeValidation, field: "scopes[1]"},
		{name: "scopes on a basic service", body: obj{"name": "x", "service_id": basic.ID, "scopes": []string{"read"},
			"config": obj{"subdomain": "acme"}}, status: 422, code: shared.CodeValidation, field: "scopes"},
		{name: "required config missing", body: obj{"name": "x", "service_id": basic.ID},
			status: 422, code: shared.CodeValidation, field: "config.subdomain"},
		{name: "config not matching the pattern", body: obj{"name": "x", "service_id": basic.ID,
			"config": obj{"subdomain": "ACME!"}}, status: 422, code: shared.CodeValidation, field: "config.subdomain"},
		{name: "config escaping its placeholder", body: obj{"name": "x", "service_id": basic.ID,
			"config": obj{"subdomain": "a", "region": "../admin"}}, status: 422, code: shared.CodeValidation, field: "config.region"},
		{name: "config not among the options", body: obj{"name": "x", "service_id": basic.ID,
			"config": obj{"subdomain": "a", "region": "asia"}}, status: 422, code: shared.CodeValidation, field: "config.region"},
		{name: "unknown config", body: obj{"name": "x", "service_id": basic.ID,
			"config": obj{"subdomain": "a", "colour": "red"}}, status: 422, code: shared.CodeValidation, field: "config.colour"},
		{name: "secret given as config", body: obj{"name": "x", "service_id": basic.ID,
			"config": obj{"subdomain": "a", "pass": "hunter2"}}, status: 422, code: shared.CodeValidation, field: "config.pass"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			before := decodeAs[connectionList](t, call(t, http.MethodGet, "/api/v1/connections", env.key, nil))
			r := call(t, http.MethodPost, "/api/v1/connections", env.key, tt.body)
			p := wantProblem(t, r, tt.status, tt.code)
			if tt.field != "" && !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			after := decodeAs[connectionList](t, call(t, http.MethodGet, "/api/v1/connections", env.key, nil))
			if !slices.Equal(connectionIDs(before), connectionIDs(after)) {
				t.Errorf("got connections %v, want them unchanged %v", connectionIDs(after), connectionIDs(before))
			}
			if strings.Contains(string(r.body), "hunter2") {
				t.Errorf("got a problem that repeats a secret value: %s", r.body)
			}
		})
	}
}

func TestGetConnection(t *testing.T) {
	f := newFixture(t, env.key)

	tests := []struct {
		name   string
		ref    string
		status int
	}{
		{name: "by id", ref: f.conn.ID, status: http.StatusOK},
		{name: "by link name", ref: f.conn.LinkName, status: http.StatusOK},
		{name: "unknown id", ref: "0123456789abcdef01234567", status: http.StatusNotFound},
		{name: "unknown link name", ref: "no_such_connection", status: http.StatusNotFound},
		{name: "link name in other case", ref: strings.ToUpper(f.conn.LinkName), status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/api/v1/connections/"+tt.ref, env.key, nil)
			if tt.status != http.StatusOK {
				wantProblem(t, r, tt.status, shared.CodeNotFound)
				return
			}
			wantStatus(t, r, tt.status)
			c := decodeAs[shared.Connection](t, r)
			if c.ID != f.conn.ID || c.LinkName != f.conn.LinkName {
				t.Errorf("got %q %q, want %q %q", c.ID, c.LinkName, f.conn.ID, f.conn.LinkName)
			}
		})
	}
}

func TestListConnections(t *testing.T) {
	svc := createService(t, env.key, basicService(unique("list-")))
	mark := unique("zebra")
	first := createConnection(t, env.key, obj{"name": mark + " one", "service_id": svc.ID, "config": obj{"subdomain": "a"}})
	second := createConnection(t, env.key, obj{"name": mark + " two", "service_id": svc.ID, "config": obj{"subdomain": "b"}})
	wantStatus(t, call(t, http.MethodPost, "/api/v1/connections/"+first.ID+"/authorize", env.key,
		obj{"params": obj{"user": "u", "pass": "p"}}), http.StatusOK)

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{name: "newest first", query: "?q=" + mark, want: []string{second.ID, first.ID}},
		{name: "by service", query: "?service_id=" + svc.ID, want: []string{second.ID, first.ID}},
		{name: "by status", query: "?service_id=" + svc.ID + "&status=connected", want: []string{first.ID}},
		{name: "by link name text", query: "?q=" + second.LinkName, want: []string{second.ID}},
		{name: "text is not a pattern", query: "?q=" + mark + ".*", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/api/v1/connections"+tt.query, env.key, nil)
			wantStatus(t, r, http.StatusOK)
			if got := connectionIDs(decodeAs[connectionList](t, r)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("all, newest first", func(t *testing.T) {
		l := decodeAs[connectionList](t, call(t, http.MethodGet, "/api/v1/connections", env.key, nil))
		if !slices.IsSortedFunc(l.Connections, func(a, b shared.Connection) int {
			return b.CreatedAt.Compare(a.CreatedAt)
		}) {
			t.Errorf("got connections not newest first: %v", connectionIDs(l))
		}
	})

	t.Run("unknown status", func(t *testing.T) {
		r := call(t, http.MethodGet, "/api/v1/connections?status=broken", env.key, nil)
		wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
	})
}

func TestUpdateConnection(t *testing.T) {
	docs := createService(t, env.key, oauthService(unique("upd-oauth-"), "secret"))

	t.Run("name, link name and scopes", func(t *testing.T) {
		c := createConnection(t, env.key, obj{"name": unique("Docs "), "service_id": docs.ID})
		link := unique("renamed_")
		r := call(t, http.MethodPatch, "/api/v1/connections/"+c.LinkName, env.key, obj{
			"name": "Renamed", "link_name": link, "scopes": []string{"read", "write"},
		})
		wantStatus(t, r, http.StatusOK)
		got := decodeAs[shared.Connection](t, call(t, http.MethodGet, "/api/v1/connections/"+link, env.key, nil))
		if got.ID != c.ID || got.Name != "Renamed" || !slices.Equal(got.Scopes, []string{"read", "write"}) {
			t.Errorf("got %q %q %v, want %q Renamed [read write]", got.ID, got.Name, got.Scopes, c.ID)
		}
		if got.Status != shared.StatusPending {
			t.Errorf("got status %s, want pending (it was never authorized)", got.Status)
		}
		wantProblem(t, call(t, http.MethodGet, "/api/v1/connections/"+c.LinkName, env.key, nil),
			http.StatusNotFound, shared.CodeNotFound)
	})

	t.Run("nothing to change", func(t *testing.T) {
		c := createConnection(t, env.key, obj{"name": unique("Docs "), "service_id": docs.ID})
		r := call(t, http.MethodPatch, "/api/v1/connections/"+c.ID, env.key, obj{"name": c.Name})
		wantStatus(t, r, http.StatusOK)
		if got := decodeAs[shared.Connection](t, r); !got.UpdatedAt.Equal(c.UpdatedAt) {
			t.Errorf("got updated_at %v, want it unchanged %v", got.UpdatedAt, c.UpdatedAt)
		}
	})

	t.Run("changed settings of an authorized connection need re-authorization", func(t *testing.T) {
		f := newFixture(t, env.key)
		r := call(t, http.MethodPost, "/api/v1/connections/"+f.conn.ID+"/authorize", env.key,
			obj{"params": obj{"user": "u", "pass": "p"}})
		wantStatus(t, r, http.StatusOK)
		r = call(t, http.MethodPatch, "/api/v1/connections/"+f.conn.ID, env.key, obj{"name": "Only renamed"})
		if got := decodeAs[shared.Connection](t, r); got.Status != shared.StatusConnected {
			t.Errorf("got status %s after a rename, want connected", got.Status)
		}
		r = call(t, http.MethodPatch, "/api/v1/connections/"+f.conn.ID, env.key, obj{"config": obj{"subdomain": "other"}})
		wantStatus(t, r, http.StatusOK)
		got := decodeAs[shared.Connection](t, r)
		if got.Status != shared.StatusNeedsReauth || got.LastError == "" {
			t.Errorf("got status %s last error %q, want needs_reauth with a reason", got.Status, got.LastError)
		}
		if got.Config["subdomain"] != "other" || got.Config["user"] != "u" {
			t.Errorf("got config %v, want subdomain other and the user name kept", got.Config)
		}
	})

	a := newFixture(t, env.key)
	b := createConnection(t, env.key, obj{"name": unique("Docs "), "service_id": docs.ID})
	failures := []struct {
		name   string
		ref    string
		body   any
		status int
		code   shared.Code
		field  string
	}{
		{name: "link name taken", ref: b.ID, body: obj{"link_name": a.conn.LinkName}, status: 409, code: shared.CodeDuplicateLinkName},
		{name: "link name taken, with other changes", ref: b.LinkName, body: obj{"name": "New", "link_name": a.conn.LinkName},
			status: 409, code: shared.CodeDuplicateLinkName},
		{name: "bad link name", ref: b.ID, body: obj{"link_name": "Bad Name"}, status: 422, code: shared.CodeValidation, field: "link_name"},
		{name: "empty name", ref: b.ID, body: obj{"name": " "}, status: 422, code: shared.CodeValidation, field: "name"},
		{name: "scope not of the service", ref: b.ID, body: obj{"scopes": []string{"root"}}, status: 422, code: shared.CodeValidation, field: "scopes[0]"},
		{name: "config not fitting", ref: a.conn.ID, body: obj{"config": obj{"subdomain": "UP"}}, status: 422, code: shared.CodeValidation, field: "config.subdomain"},
		{name: "config missing a required value", ref: a.conn.ID, body: obj{"config": obj{}}, status: 422, code: shared.CodeValidation, field: "config.subdomain"},
		{name: "status is not editable", ref: b.ID, body: obj{"status": "connected"}, status: 400, code: shared.CodeUnknownField},
		{name: "service is not editable", ref: b.ID, body: obj{"service_id": "github"}, status: 400, code: shared.CodeUnknownField},
		{name: "scopes of the wrong type", ref: b.ID, body: obj{"scopes": "read"}, status: 422, code: shared.CodeValidation, field: "scopes"},
		{name: "malformed json", ref: b.ID, body: raw(`{"name":`), status: 400, code: shared.CodeInvalidJSON},
		{name: "unknown connection", ref: "0123456789abcdef01234567", body: obj{"name": "x"}, status: 404, code: shared.CodeNotFound},
		{name: "unknown link name", ref: "nobody_has_this", body: obj{"name": "x"}, status: 404, code: shared.CodeNotFound},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, env.key, fixture{svc: docs, conn: b}) + snapshot(t, env.key, a)
			r := call(t, http.MethodPatch, "/api/v1/connections/"+tt.ref, env.key, tt.body)
			p := wantProblem(t, r, tt.status, tt.code)
			if tt.field != "" && !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			after := snapshot(t, env.key, fixture{svc: docs, conn: b}) + snapshot(t, env.key, a)
			wantUnchanged(t, before, after)
		})
	}
}

func TestDeleteConnection(t *testing.T) {
	tests := []struct {
		name string
		ref  func(shared.Connection) string
		// authorize first, so that deleting also ends the grant.
		authorize bool
	}{
		{name: "by id", ref: func(c shared.Connection) string { return c.ID }},
		{name: "by link name", ref: func(c shared.Connection) string { return c.LinkName }},
		{name: "authorized", ref: func(c shared.Connection) string { return c.ID }, authorize: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, env.key)
			if tt.authorize {
				wantStatus(t, call(t, http.MethodPost, "/api/v1/connections/"+f.conn.ID+"/authorize", env.key,
					obj{"params": obj{"user": "u", "pass": "p"}}), http.StatusOK)
			}
			path := "/api/v1/connections/" + tt.ref(f.conn)
			wantStatus(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusNoContent)
			wantProblem(t, call(t, http.MethodGet, "/api/v1/connections/"+f.conn.ID, env.key, nil),
				http.StatusNotFound, shared.CodeNotFound)
			wantProblem(t, call(t, http.MethodGet, "/api/v1/connections/"+f.conn.LinkName, env.key, nil),
				http.StatusNotFound, shared.CodeNotFound)
			wantProblem(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusNotFound, shared.CodeNotFound)

			// The link name is free again.
			again := createConnection(t, env.key, obj{"name": "Again", "link_name": f.conn.LinkName,
				"service_id": f.svc.ID, "config": obj{"subdomain": "acme"}})
			if again.ID == f.conn.ID {
				t.Errorf("got the deleted id %q again, want a new one", again.ID)
			}
		})
	}

	t.Run("unknown", func(t *testing.T) {
		r := call(t, http.MethodDelete, "/api/v1/connections/0123456789abcdef01234567", env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})
}

func TestConnectionEvents(t *testing.T) {
	f := newFixture(t, env.key)
	ref := "/api/v1/connections/" + f.conn.ID
	wantStatus(t, call(t, http.MethodPatch, ref, env.key, obj{"name": "Edited"}), http.StatusOK)
	wantStatus(t, call(t, http.MethodPost, ref+"/authorize", env.key,
		obj{"params": obj{"user": "u", "pass": "p"}}), http.StatusOK)

	admin := usernameOf(t, env.key)
	check := func(t *testing.T, path string, want []shared.EventType) {
		t.Helper()
		r := call(t, http.MethodGet, path, env.key, nil)
		wantStatus(t, r, http.StatusOK)
		l := decodeAs[eventList](t, r)
		var got []shared.EventType
		for i, e := range l.Events {
			got = append(got, e.Type)
			if e.ConnectionID != f.conn.ID || e.Actor != admin || e.Outcome != shared.OutcomeOK ||
				e.ID == "" || e.Time.IsZero() || e.Detail == "" {
				t.Errorf("got event %+v, want one of %s by the owner, ok, with id, time and detail", e, f.conn.ID)
			}
			if i > 0 && e.Time.After(l.Events[i-1].Time) {
				t.Errorf("got event %d at %v after event %d at %v, want newest first", i, e.Time, i-1, l.Events[i-1].Time)
			}
			if strings.Contains(e.Detail, `"p"`) || strings.Contains(e.Detail, "pass") {
				t.Errorf("got detail %q, want no credentials in it", e.Detail)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("got events %v, want %v", got, want)
		}
	}

	t.Run("by id", func(t *testing.T) {
		check(t, ref+"/events", []shared.EventType{shared.EventAuthorized, shared.EventEdited, shared.EventCreated})
	})
	t.Run("by link name", func(t *testing.T) {
		check(t, "/api/v1/connections/"+f.conn.LinkName+"/events",
			[]shared.EventType{shared.EventAuthorized, shared.EventEdited, shared.EventCreated})
	})
	t.Run("kept after delete", func(t *testing.T) {
		wantStatus(t, call(t, http.MethodDelete, ref, env.key, nil), http.StatusNoContent)
		check(t, ref+"/events", []shared.EventType{shared.EventDeleted, shared.EventRevoked,
			shared.EventAuthorized, shared.EventEdited, shared.EventCreated})
		r := call(t, http.MethodGet, ref+"/events", env.otherKey, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})
	t.Run("unknown connection", func(t *testing.T) {
		r := call(t, http.MethodGet, "/api/v1/connections/0123456789abcdef01234567/events", env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
		r = call(t, http.MethodGet, "/api/v1/connections/nobody_has_this/events", env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})
}
