package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// wantEntries checks that entries are the actions, newest first, about
// one target of the first owner, done by them.
func wantEntries(t *testing.T, entries []shared.AuditEntry, target, targetType, targetName string, want ...shared.AuditAction) {
	t.Helper()
	if got := actionsOf(entries); !slices.Equal(got, want) {
		t.Fatalf("got actions %v for %s, want %v", got, target, want)
	}
	admin := usernameOf(t, env.key)
	for i, e := range entries {
		if e.TargetID != target || e.TargetType != targetType || e.TargetName != targetName ||
			e.OwnerID != env.ownerID || e.ActorID != env.ownerID || e.ActorName != admin ||
			e.ID == "" || e.Time.IsZero() || e.Detail == "" {
			t.Errorf("got entry %+v, want one about %s %s (%s) of %s, by %s %s, with id, time and detail",
				e, targetType, target, targetName, env.ownerID, env.ownerID, admin)
		}
		if i > 0 && e.Time.After(entries[i-1].Time) {
			t.Errorf("got entry %d at %v after entry %d at %v, want newest first", i, e.Time, i-1, entries[i-1].Time)
		}
	}
}

func TestAuditOfServices(t *testing.T) {
	id := unique("audited-")
	first, second := unique("first-client-secret-"), unique("second-client-secret-")
	svc := createService(t, env.key, oauthService(id, first))
	path := "/api/v1/services/" + svc.ID
	wantStatus(t, call(t, http.MethodPatch, path, env.key,
		obj{"client_secret": second, "description": "Documents, audited."}), http.StatusOK)
	// The same values again change nothing, so the trail notes nothing.
	wantStatus(t, call(t, http.MethodPatch, path, env.key,
		obj{"client_secret": second, "description": "Documents, audited."}), http.StatusOK)
	wantStatus(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusNoContent)

	entries := auditEntries(t, url.Values{"target": {svc.ID}})
	wantEntries(t, entries, svc.ID, "service", svc.Name,
		shared.AuditServiceDeleted, shared.AuditServiceChanged, shared.AuditServiceCreated)
	changed := entries[1].Detail
	if !strings.Contains(changed, "client_secret") || !strings.Contains(changed, "description") {
		t.Errorf("got detail %q, want it to name client_secret and description", changed)
	}
	for _, e := range entries {
		if e.Outcome != shared.OutcomeOK {
			t.Errorf("got outcome %q for %s, want ok", e.Outcome, e.Action)
		}
		if strings.Contains(e.Detail, first) || strings.Contains(e.Detail, second) {
			t.Errorf("got detail %q, want no client secret in it", e.Detail)
		}
	}
}

func TestAuditOfConnections(t *testing.T) {
	pass := unique("shop-password-")
	api := newShopAPI(t, "shopper", pass)
	svc := createService(t, env.key, api.service(unique("shop-audit-")))
	conn := createConnection(t, env.key, obj{"name": unique("Audited "), "service_id": svc.ID})
	ref := "/api/v1/connections/" + conn.ID
	r := call(t, http.MethodPost, ref+"/authorize", env.key, obj{"params": obj{"user": "shopper", "pass": "wrong-" + pass}})
	wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeCredentialsRejected)
	wantStatus(t, call(t, http.MethodPost, ref+"/authorize", env.key,
		obj{"params": obj{"user": "shopper", "pass": pass}}), http.StatusOK)
	wantStatus(t, call(t, http.MethodPatch, ref, env.key, obj{"name": "Renamed"}), http.StatusOK)
	wantStatus(t, call(t, http.MethodPost, ref+"/verify", env.key, nil), http.StatusOK)
	wantStatus(t, call(t, http.MethodPost, ref+"/revoke", env.key, nil), http.StatusOK)
	wantStatus(t, call(t, http.MethodDelete, ref, env.key, nil), http.StatusNoContent)

	entries := auditEntries(t, url.Values{"target": {conn.ID}})
	wantEntries(t, entries, conn.ID, "connection", conn.LinkName,
		shared.AuditConnDeleted, shared.AuditConnRevoked, shared.AuditConnVerified,
		shared.AuditConnAuthorized, shared.AuditConnFailed, shared.AuditConnCreated)
	for _, e := range entries {
		want := shared.OutcomeOK
		if e.Action == shared.AuditConnFailed {
			want = shared.OutcomeFailed
			if !strings.Contains(e.Detail, "rejected") {
				t.Errorf("got detail %q for the failed authorization, want it to say the service rejected the credentials", e.Detail)
			}
		}
		if e.Outcome != want {
			t.Errorf("got outcome %q for %s, want %q", e.Outcome, e.Action, want)
		}
		if strings.Contains(e.Detail, pass) {
			t.Errorf("got detail %q, want no password in it", e.Detail)
		}
	}

	t.Run("history names the user", func(t *testing.T) {
		l := decodeAs[eventList](t, call(t, http.MethodGet, ref+"/events", env.key, nil))
		admin := usernameOf(t, env.key)
		for _, e := range l.Events {
			if e.Actor != admin {
				t.Errorf("got actor %q for %s, want the username %q", e.Actor, e.Type, admin)
			}
		}
	})
}

func TestAuditFiltersAndPages(t *testing.T) {
	f := newFixture(t, env.key)
	ref := "/api/v1/connections/" + f.conn.ID
	for range 2 {
		wantStatus(t, call(t, http.MethodPost, ref+"/authorize", env.key,
			obj{"params": obj{"user": "u", "pass": "p"}}), http.StatusOK)
		wantStatus(t, call(t, http.MethodPost, ref+"/revoke", env.key, nil), http.StatusOK)
	}
	all := auditEntries(t, url.Values{"target": {f.conn.ID}})
	if len(all) != 5 {
		t.Fatalf("got %d entries (%v), want 5", len(all), actionsOf(all))
	}

	t.Run("pages", func(t *testing.T) {
		var got []string
		q := url.Values{"target": {f.conn.ID}, "limit": {"2"}}
		for page := 1; ; page++ {
			r := call(t, http.MethodGet, "/api/v1/audit?"+q.Encode(), env.key, nil)
			wantStatus(t, r, http.StatusOK)
			p := decodeAs[auditPage](t, r)
			if len(p.Entries) > 2 || (p.NextBefore != "" && len(p.Entries) != 2) {
				t.Fatalf("got %d entries and next_before %q on page %d, want 2 and a cursor, or the last page",
					len(p.Entries), p.NextBefore, page)
			}
			for _, e := range p.Entries {
				got = append(got, e.ID)
			}
			if p.NextBefore == "" || page > 5 {
				break
			}
			q.Set("before", p.NextBefore)
		}
		var want []string
		for _, e := range all {
			want = append(want, e.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("got ids %v page by page, want %v once each", got, want)
		}
	})

	tests := []struct {
		name  string
		query url.Values
		want  []shared.AuditAction
	}{
		{name: "action", query: url.Values{"action": {"connection_revoked"}},
			want: []shared.AuditAction{shared.AuditConnRevoked, shared.AuditConnRevoked}},
		{name: "actor", query: url.Values{"actor": {env.ownerID}}, want: actionsOf(all)},
		{name: "another actor", query: url.Values{"actor": {env.otherID}}},
		{name: "action and actor", query: url.Values{"action": {"connection_created"}, "actor": {env.ownerID}},
			want: []shared.AuditAction{shared.AuditConnCreated}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.query.Set("target", f.conn.ID)
			got := actionsOf(auditEntries(t, tt.query))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("newest first across everyone", func(t *testing.T) {
		r := call(t, http.MethodGet, "/api/v1/audit?limit=1", env.key, nil)
		wantStatus(t, r, http.StatusOK)
		p := decodeAs[auditPage](t, r)
		if len(p.Entries) != 1 || p.NextBefore == "" {
			t.Fatalf("got %d entries and next_before %q, want 1 and a cursor", len(p.Entries), p.NextBefore)
		}
		if p.Entries[0].Time.Before(all[0].Time) {
			t.Errorf("got newest entry at %v, before this test's last at %v", p.Entries[0].Time, all[0].Time)
		}
	})
}

func TestAuditBadQueries(t *testing.T) {
	tests := []struct {
		name, query, field string
	}{
		{name: "unknown action", query: "action=connection_exploded", field: "action"},
		{name: "event type as action", query: "action=created", field: "action"},
		{name: "limit zero", query: "limit=0", field: "limit"},
		{name: "limit too large", query: "limit=201", field: "limit"},
		{name: "negative limit", query: "limit=-3", field: "limit"},
		{name: "limit not a number", query: "limit=ten", field: "limit"},
		{name: "cursor not base64", query: "before=%25%25%25", field: "before"},
		{name: "cursor of other text", query: "before=bm90LWEtY3Vyc29y", field: "before"},
		{name: "actor with a space", query: "actor=a+b", field: "actor"},
		{name: "target too long", query: "target=" + strings.Repeat("x", 200), field: "target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/api/v1/audit?"+tt.query, env.key, nil)
			p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
			if !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
		})
	}
}

// TestAuditHoldsNoSecrets walks through what puts secrets in requests
// and then reads the whole trail: none of them may appear in it.
func TestAuditHoldsNoSecrets(t *testing.T) {
	clientSecret, pass := unique("trail-client-secret-"), unique("trail-password-")
	svc := createService(t, env.key, oauthService(unique("trail-"), clientSecret))
	wantStatus(t, call(t, http.MethodPatch, "/api/v1/services/"+svc.ID, env.key,
		obj{"client_secret": clientSecret + "-new"}), http.StatusOK)
	api := newShopAPI(t, "trail-user", pass)
	f := api.connected(t, env.key)
	call(t, http.MethodPost, "/api/v1/connections/"+f.conn.ID+"/authorize", env.key,
		obj{"params": obj{"user": "trail-user", "pass": pass + "-wrong"}})

	q := url.Values{"limit": {"200"}}
	for page := 0; page < 1000; page++ {
		r := call(t, http.MethodGet, "/api/v1/audit?"+q.Encode(), env.key, nil)
		wantStatus(t, r, http.StatusOK)
		for _, secret := range []string{clientSecret, pass} {
			if strings.Contains(string(r.body), secret) {
				t.Fatalf("got a secret in the trail: %s", r.body)
			}
		}
		p := decodeAs[auditPage](t, r)
		if p.NextBefore == "" {
			return
		}
		q.Set("before", p.NextBefore)
	}
}

// TestAuditOnlyForAdmins needs the role check of the users work: a
// member reading the trail is refused.
func TestAuditOnlyForAdmins(t *testing.T) {
	r := call(t, http.MethodGet, "/api/v1/audit", env.otherKey, nil)
	wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
}
