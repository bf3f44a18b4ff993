package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// oauthSecrets collects every secret the OAuth tests see on the wire
// (tokens, codes, states, client secrets, API keys) so that logs, stored
// files and API answers can be searched for them.
type oauthSecrets struct {
	mu     sync.Mutex
	values map[string]string // secret value -> what it is
}

func newOAuthSecrets() *oauthSecrets {
	return &oauthSecrets{values: map[string]string{}}
}

// add remembers a secret. Values shorter than 8 characters are too likely
// to occur by chance and are left out.
func (s *oauthSecrets) add(what, value string) {
	if len(value) < 8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.values[value]; !ok {
		s.values[value] = what
	}
}

// found returns what the first secret found in text is, or "".
func (s *oauthSecrets) found(text []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for v, what := range s.values {
		if bytes.Contains(text, []byte(v)) {
			return what
		}
	}
	return ""
}

// count is how many secrets are known.
func (s *oauthSecrets) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.values)
}

// assertAbsent fails the test if text holds a known secret.
func (s *oauthSecrets) assertAbsent(t testing.TB, where string, text []byte) {
	t.Helper()
	if what := s.found(text); what != "" {
		t.Errorf("%s holds a secret in plain text (%s), want none", where, what)
	}
}

// oauthPlugboard is a running Plugboard whose debug log is kept.
type oauthPlugboard struct {
	*testPlugboard
	api *api.Client
	url string
}

// oauthStart starts Plugboard with an embedded database and a debug log.
// When the test ends it is shut down, and its log and its data files are
// searched for every secret in secrets.
func oauthStart(t *testing.T, secrets *oauthSecrets) *oauthPlugboard {
	t.Helper()
	tp := startPlugboard(t, withLogs(slog.LevelDebug))
	pb := &oauthPlugboard{
		testPlugboard: tp,
		api:           api.New(tp.srv.URL(), api.WithAPIKey(tp.key)),
		url:           tp.srv.URL(),
	}
	secrets.add("API key", pb.key)
	t.Cleanup(func() {
		tp.stop()
		logs := tp.logs.Bytes()
		if !bytes.Contains(logs, []byte("level=DEBUG")) {
			t.Errorf("the server log has no debug lines; the secret check would prove nothing")
		}
		secrets.assertAbsent(t, "the server log", logs)
		oauthScanFiles(t, tp.dataDir, secrets)
	})
	return pb
}

// callbackURL is the redirect URI to register at providers.
func (pb *oauthPlugboard) callbackURL() string { return pb.url + "/oauth/callback" }

// oauthScanFiles fails the test if any file below dir holds a secret.
func oauthScanFiles(t testing.TB, dir string, secrets *oauthSecrets) {
	t.Helper()
	files, err := dataFiles(dir)
	for path, b := range files {
		secrets.assertAbsent(t, "the data file "+filepath.Base(path), b)
	}
	if err != nil {
		t.Errorf("scan data files: %v", err)
	}
	n := len(files)
	if n == 0 {
		t.Errorf("found no data files in %s; the secret check would prove nothing", dir)
	}
}

// oauthDB opens the database a Plugboard uses, for looking at documents.
func oauthDB(t testing.TB, uri string) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("connect to the database: %v", err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database("plugboard")
}

// oauthScanDB fails the test if any stored document holds a secret, and
// returns how many documents it read.
func oauthScanDB(t testing.TB, db *mongo.Database, secrets *oauthSecrets) int {
	t.Helper()
	names, err := db.ListCollectionNames(t.Context(), bson.D{})
	if err != nil {
		t.Fatalf("list collections: %v", err)
	}
	n := 0
	for _, name := range names {
		cur, err := db.Collection(name).Find(t.Context(), bson.D{})
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		for cur.Next(t.Context()) {
			n++
			secrets.assertAbsent(t, "a document in "+name, cur.Current)
		}
		if err := cur.Err(); err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		_ = cur.Close(t.Context())
	}
	return n
}

// oauthCredential returns a connection's stored credential document.
func oauthCredential(t testing.TB, db *mongo.Database, connID string) bson.Raw {
	t.Helper()
	raw, err := db.Collection("credentials").FindOne(t.Context(), bson.D{{Key: "_id", Value: connID}}).Raw()
	if err != nil {
		t.Fatalf("read the credential of %s: %v", connID, err)
	}
	return raw
}

// oauthBrowser plays the browser at Plugboard: it follows no redirect, so
// the test sees where Plugboard sends the person.
var oauthBrowser = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// oauthDeliver requests a provider's redirect to the callback URL, at
// base instead of the URL's own origin when base is not empty (as a load
// balancer would send it to another instance), and returns Plugboard's
// status and Location.
func oauthDeliver(t testing.TB, callback *url.URL, base string) (int, string) {
	t.Helper()
	target := *callback
	if base != "" {
		b, err := url.Parse(base)
		if err != nil {
			t.Fatalf("parse %s: %v", base, err)
		}
		target.Scheme, target.Host = b.Scheme, b.Host
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target.String(), nil)
	if err != nil {
		t.Fatalf("build callback request: %v", err)
	}
	resp, err := oauthBrowser.Do(req)
	if err != nil {
		t.Fatalf("GET callback: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// oauthWantRedirect fails the test unless Plugboard answered the callback
// with a 303 to want.
func oauthWantRedirect(t testing.TB, status int, location, want string) {
	t.Helper()
	if status != http.StatusSeeOther || location != want {
		t.Errorf("callback answered %d to %q, want %d to %q", status, location, http.StatusSeeOther, want)
	}
}

// oauthWantProblem fails the test unless err is a problem with the code.
func oauthWantProblem(t testing.TB, err error, code shared.Code) *shared.Problem {
	t.Helper()
	p, ok := api.AsProblem(err)
	if !ok {
		t.Fatalf("error = %v, want a %s problem", err, code)
	}
	if p.Code != code {
		t.Errorf("problem code = %s (%s), want %s", p.Code, p.Detail, code)
	}
	return p
}

// oauthTapRecord is one request a tap forwarded, and the answer.
type oauthTapRecord struct {
	Path   string
	Form   url.Values
	Header http.Header
	Status int
	// Answer is the decoded JSON answer; nil when it was not JSON.
	Answer map[string]any
}

// str reads a string field of the answer.
func (r oauthTapRecord) str(field string) string {
	s, _ := r.Answer[field].(string)
	return s
}

// oauthTap sits in front of a provider's token and revocation endpoints,
// forwards every request unchanged, and records what was sent and
// answered. Every token and code it sees is added to the secrets.
type oauthTap struct {
	*httptest.Server
	target  string
	secrets *oauthSecrets
	mu      sync.Mutex
	records []oauthTapRecord
}

// oauthNewTap starts a tap that forwards to target (a base URL).
func oauthNewTap(t testing.TB, target string, secrets *oauthSecrets) *oauthTap {
	t.Helper()
	tap := &oauthTap{target: strings.TrimSuffix(target, "/"), secrets: secrets}
	tap.Server = httptest.NewServer(http.HandlerFunc(tap.serve))
	t.Cleanup(tap.Close)
	return tap
}

func (tap *oauthTap) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	for _, k := range []string{"code", "refresh_token", "token", "code_verifier", "client_secret"} {
		tap.secrets.add("value of "+k+" sent to the provider", form.Get(k))
	}

	req, err := http.NewRequestWithContext(r.Context(), r.Method, tap.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)

	rec := oauthTapRecord{Path: r.URL.Path, Form: form, Header: r.Header.Clone(), Status: resp.StatusCode}
	if json.Unmarshal(answer, &rec.Answer) == nil {
		tap.secrets.add("access token issued", rec.str("access_token"))
		tap.secrets.add("refresh token issued", rec.str("refresh_token"))
		tap.secrets.add("ID token issued", rec.str("id_token"))
	}
	tap.mu.Lock()
	tap.records = append(tap.records, rec)
	tap.mu.Unlock()

	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// grants returns the token requests of a grant type, oldest first.
func (tap *oauthTap) grants(grantType string) []oauthTapRecord {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	var out []oauthTapRecord
	for _, r := range tap.records {
		if r.Path == "/oauth2/token" && r.Form.Get("grant_type") == grantType {
			out = append(out, r)
		}
	}
	return out
}

// revocations returns the revocation requests, oldest first.
func (tap *oauthTap) revocations() []oauthTapRecord {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	var out []oauthTapRecord
	for _, r := range tap.records {
		if r.Path == "/oauth2/revoke" {
			out = append(out, r)
		}
	}
	return out
}

// latestTokens returns the access and refresh token of the last
// successful token answer.
func (tap *oauthTap) latestTokens(t testing.TB) (access, refresh string) {
	t.Helper()
	tap.mu.Lock()
	defer tap.mu.Unlock()
	for i := len(tap.records) - 1; i >= 0; i-- {
		if r := tap.records[i]; r.Path == "/oauth2/token" && r.Status == http.StatusOK {
			return r.str("access_token"), r.str("refresh_token")
		}
	}
	t.Fatal("the provider issued no tokens")
	return "", ""
}

// oauthSHA256Hex is the hexadecimal SHA-256 of s.
func oauthSHA256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// oauthS256 is the PKCE S256 challenge of a verifier (RFC 7636 section
// 4.2).
func oauthS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// oauthRandom returns a random string that is easy to search for.
func oauthRandom(prefix string) string { return prefix + rand.Text() }

// oauthConcurrently runs fn n times at once and returns what each call
// returned, in order.
func oauthConcurrently(n int, fn func(i int) (string, error)) ([]string, []error) {
	out := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i], errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return out, errs
}

// oauthSleepUntilStale waits until Plugboard refreshes a token that
// expires at expiresAt after a life of about life: it refreshes once less
// than half the life is left. A quarter is waited for, since a provider
// rounds expires_in down to whole seconds.
func oauthSleepUntilStale(expiresAt time.Time, life time.Duration) {
	margin := life / 4
	time.Sleep(time.Until(expiresAt.Add(-margin)) + 100*time.Millisecond)
}

// oauthWantOneNewToken fails the test unless the concurrent callers that
// got tokens and errs all got the same token, and not old. who names a
// caller in the messages, after its number.
func oauthWantOneNewToken(t testing.TB, got []string, errs []error, old string, who func(i int) string) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if got[0] == old {
		t.Errorf("callers got the expired token, want a refreshed one")
	}
	for i, tok := range got {
		if tok != got[0] {
			t.Errorf("caller %d%s got another token than caller 0", i, who(i))
		}
	}
}
