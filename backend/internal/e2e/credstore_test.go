package e2e

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// credOwnerID asks Plugboard whose API key the client holds.
func credOwnerID(t *testing.T, pb *testPlugboard) string {
	t.Helper()
	var s struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	pb.mustCall(t, http.MethodGet, "/api/v1/session", nil, http.StatusOK, &s)
	if s.User.ID == "" {
		t.Fatal("the session names no user")
	}
	return s.User.ID
}

// credOpenStore opens, through the MongoDB driver, the database that a
// stopped Plugboard left in dir.
func credOpenStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := store.StartEmbedded(t.Context(), dir, log)
	if err != nil {
		t.Fatalf("start embedded database: %v", err)
	}
	t.Cleanup(e.Stop)
	st, err := store.Open(t.Context(), e.URI(), "plugboard")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close(t.Context()) })
	return st
}

// credReadFiles returns the contents of every file under dir.
func credReadFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out, err := dataFiles(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	if len(out) == 0 {
		t.Fatalf("no files under %s", dir)
	}
	return out
}

// credSecretForms lists the ways a secret could be written down in the
// clear: as given, base64-encoded, and query-escaped.
func credSecretForms(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		out = append(out, s,
			base64.StdEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)))
		if q := url.QueryEscape(s); q != s {
			out = append(out, q)
		}
	}
	return out
}

// TestCredStoredDocuments runs the connection flows of every way of
// taking credentials, then reads what the database keeps: the credential
// documents hold the values sealed, and no file of the database holds a
// secret in the clear, while non-secret values are found there.
func TestCredStoredDocuments(t *testing.T) {
	pb := credStartServer(t)
	owner := credOwnerID(t, pb)
	// A distinctive non-secret value: it must be found in the files,
	// which shows that the scan below can see what is stored in clear.
	const username = "ada.lovelace.plainvalue"

	var secrets []string
	conns := map[string]string{} // connection id -> how it ends
	for i, v := range credVariants() {
		right := map[string]string{}
		for k, val := range v.right {
			right[k] = val
		}
		if _, ok := right["user"]; ok {
			right["user"] = username
		}
		accepts := func(r *http.Request) bool {
			u, p, ok := r.BasicAuth()
			if ok {
				return u == username && p == right["pass"]
			}
			return v.accepts(r)
		}
		fake := credNewFake(t, accepts)
		svcID := pb.createService(t, v.service("cred-store-"+strconv.Itoa(i), fake.URL))
		kept := pb.createConnection(t, svcID, "Kept "+v.name, v.config)
		revoked := pb.createConnection(t, svcID, "Revoked "+v.name, v.config)
		for _, id := range []string{kept.ID, revoked.ID} {
			credWantRejected(t, pb.authorize(t, id, v.wrong), v.names)
			pb.mustAuthorize(t, id, right)
			pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+id+"/verify", nil, http.StatusOK, nil)
		}
		pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+revoked.ID+"/revoke", nil, http.StatusOK, nil)
		conns[kept.ID], conns[revoked.ID] = "kept", "revoked"

		for _, p := range credServiceSecrets(v.service("x", "http://x")) {
			secrets = append(secrets, right[p], v.wrong[p])
		}
		if p, ok := right["pass"]; ok {
			secrets = append(secrets, username+":"+p, v.wrong["user"]+":"+v.wrong["pass"])
		}
	}
	secrets = append(secrets, pb.key)
	pb.stop()

	files := credReadFiles(t, filepath.Join(pb.dataDir, "db"))
	foundPlain := false
	for path, b := range files {
		for _, s := range credSecretForms(secrets...) {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the secret %q in clear", filepath.Base(path), s)
			}
		}
		foundPlain = foundPlain || bytes.Contains(b, []byte(username))
	}
	if !foundPlain {
		t.Fatalf("the non-secret user name %q is in no database file; the scan sees nothing", username)
	}

	st := credOpenStore(t, pb.dataDir)
	for id, fate := range conns {
		cred, err := st.GetCredential(t.Context(), owner, id)
		switch {
		case fate == "revoked" && !errors.Is(err, store.ErrNotFound):
			t.Errorf("credential of revoked %s: got error %v, want not found", id, err)
		case fate == "kept" && err != nil:
			t.Errorf("credential of %s: %v", id, err)
		case fate == "kept":
			if cred.Kind != store.KindParams || len(cred.Sealed.Data) == 0 || cred.Sealed.KeyID == "" {
				t.Errorf("credential of %s: got kind %q, %d sealed bytes, key %q; want params, sealed",
					id, cred.Kind, len(cred.Sealed.Data), cred.Sealed.KeyID)
			}
			for _, s := range credSecretForms(secrets...) {
				if bytes.Contains(cred.Sealed.Data, []byte(s)) {
					t.Errorf("sealed credential of %s holds %q in clear", id, s)
				}
			}
		}
	}
}

// credServiceSecrets names a service's secret parameters.
func credServiceSecrets(svc shared.Service) []string {
	var out []string
	for _, p := range svc.Params {
		if p.Secret {
			out = append(out, p.Name)
		}
	}
	return out
}

// TestCredRevoke checks that revoking a Basic Auth connection deletes its
// stored values and the user name from its config, and that entering
// them again authorizes it again.
func TestCredRevoke(t *testing.T) {
	pb := credStartServer(t)
	owner := credOwnerID(t, pb)
	fake := credNewFake(t, func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		return ok && u == "ada" && p == "pw-Revoke-1"
	})
	svcID := pb.createService(t, credBasicService("cred-revoke", fake.URL))
	params := map[string]string{"user": "ada", "pass": "pw-Revoke-1"}

	tests := []struct {
		name        string
		reauthorize bool
	}{
		{name: "revoked", reauthorize: false},
		{name: "authorized again", reauthorize: true},
	}
	ids := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := pb.createConnection(t, svcID, "Revoke "+tt.name, map[string]string{"account": "acme"})
			pb.mustAuthorize(t, conn.ID, params)

			var out struct {
				Connection shared.Connection `json:"connection"`
			}
			pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+conn.ID+"/revoke", nil, http.StatusOK, &out)
			c := out.Connection
			if c.Status != shared.StatusRevoked || c.Verified {
				t.Errorf("after revoke: got status %s, verified %v; want revoked, unverified",
					c.Status, c.Verified)
			}
			if want := map[string]string{"account": "acme"}; !credSameMap(c.Config, want) {
				t.Errorf("config after revoke: got %v, want %v", c.Config, want)
			}
			if !credHasEvent(pb.events(t, conn.ID), shared.EventRevoked, shared.OutcomeOK) {
				t.Errorf("events: no revoked event recorded")
			}
			a := pb.request(t, http.MethodPost, "/api/v1/connections/"+conn.ID+"/verify", nil)
			if a.status != http.StatusConflict || a.problem(t).Code != shared.CodeNotConnected {
				t.Errorf("verify after revoke: got %d (%s), want 409 not_connected", a.status, a.body)
			}

			if tt.reauthorize {
				c = pb.mustAuthorize(t, conn.ID, params)
				want := map[string]string{"account": "acme", "user": "ada"}
				if c.Status != shared.StatusConnected || !c.Verified || !credSameMap(c.Config, want) {
					t.Errorf("authorized again: got status %s, verified %v, config %v; "+
						"want connected, verified, %v", c.Status, c.Verified, c.Config, want)
				}
			}
			ids[conn.ID] = tt.reauthorize
		})
	}

	pb.stop()
	st := credOpenStore(t, pb.dataDir)
	for id, kept := range ids {
		_, err := st.GetCredential(t.Context(), owner, id)
		if kept && err != nil {
			t.Errorf("credential of the connection authorized again: got error %v, want one", err)
		}
		if !kept && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("credential of the revoked connection: got error %v, want not found", err)
		}
	}
}

// TestCredSecretsNeverReturned checks every read of connections, events
// and services after authorizations that succeeded, failed and were
// later refused: secret values never appear, non-secret ones do.
func TestCredSecretsNeverReturned(t *testing.T) {
	pb := credStartServer(t)
	var bodies []apiAnswer
	var secrets []string
	var connIDs []string
	for i, v := range credVariants() {
		fake := credNewFake(t, v.accepts)
		svcID := pb.createService(t, v.service("cred-secret-"+strconv.Itoa(i), fake.URL))
		conn := pb.createConnection(t, svcID, "Secret "+v.name, v.config)
		connIDs = append(connIDs, conn.ID)
		verify := "/api/v1/connections/" + conn.ID + "/verify"

		bodies = append(bodies,
			pb.authorize(t, conn.ID, v.wrong),
			pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+conn.ID+"/authorize",
				map[string]any{"params": v.right}, http.StatusOK, nil),
			pb.mustCall(t, http.MethodPost, verify, nil, http.StatusOK, nil))
		fake.setCheck(func(*http.Request) bool { return false })
		bodies = append(bodies, pb.mustCall(t, http.MethodPost, verify, nil, http.StatusOK, nil))
		fake.Close()

		for _, p := range credServiceSecrets(v.service("x", "http://x")) {
			secrets = append(secrets, v.right[p], v.wrong[p])
		}
		if p, ok := v.right["pass"]; ok {
			secrets = append(secrets, v.right["user"]+":"+p)
		}
	}
	for _, id := range connIDs {
		bodies = append(bodies,
			pb.mustCall(t, http.MethodGet, "/api/v1/connections/"+id, nil, http.StatusOK, nil),
			pb.mustCall(t, http.MethodGet, "/api/v1/connections/"+id+"/events", nil, http.StatusOK, nil))
	}
	list := pb.mustCall(t, http.MethodGet, "/api/v1/connections", nil, http.StatusOK, nil)
	bodies = append(bodies, list,
		pb.mustCall(t, http.MethodGet, "/api/v1/services", nil, http.StatusOK, nil))

	// JSON escapes '&' and may escape other characters: compare with the
	// decoded text as well as the raw bytes.
	forms := credSecretForms(secrets...)
	for _, b := range bodies {
		text := credJSONText(b.body)
		if leak := credContainsAny(string(b.body)+"\n"+text, forms...); leak != "" {
			t.Errorf("an answer (%d) holds the secret %q: %s", b.status, leak, b.body)
		}
	}
	for _, want := range []string{`"user":"ada"`, `"account":"acme"`} {
		if !bytes.Contains(list.body, []byte(want)) {
			t.Errorf("connection list lacks the non-secret %s: %s", want, list.body)
		}
	}
}
