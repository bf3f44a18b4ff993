package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/shared"
)

// targetTTL is how long a resolved connection is reused without reading
// the database again. A change made through this instance takes effect
// at once; one made through another instance within targetTTL.
const targetTTL = 10 * time.Second

// target is a connection resolved for proxying: where its API is and how
// to authenticate to it.
type target struct {
	// owner owns the connection: the caller, or the user who shared it
	// with the caller. Its service and credentials are the owner's.
	owner   string
	conn    shared.Connection
	svc     *shared.Service
	base    *url.URL
	values  map[string]string // Basic Auth and API key
	token   tokens            // OAuth 2.0
	expires time.Time
}

// targetCache keeps resolved targets by caller and reference.
type targetCache struct {
	mu   sync.Mutex
	byID map[string]*target // key: caller + "/" + ref
	// gen counts forget calls, so that a target read from the database
	// before a change is not stored after it.
	gen uint64
	// loading makes callers that miss the cache together share one
	// load instead of each reading the database: when targetTTL ends,
	// or a token is due for refresh, every request in flight misses.
	loading singleflight.Group
}

func (tc *targetCache) get(key string, now time.Time) *target {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	t := tc.byID[key]
	if t == nil || now.After(t.expires) {
		return nil
	}
	return t
}

// generation returns the current generation, to hand to put later.
func (tc *targetCache) generation() uint64 {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.gen
}

// put stores t unless a target was forgotten since gen was taken.
func (tc *targetCache) put(key string, t *target, gen uint64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if gen != tc.gen {
		return
	}
	if tc.byID == nil || len(tc.byID) > 10000 {
		tc.byID = map[string]*target{}
	}
	tc.byID[key] = t
}

// forget drops every cached target of a connection.
func (tc *targetCache) forget(connID string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.gen++
	for k, t := range tc.byID {
		if t.conn.ID == connID {
			delete(tc.byID, k)
		}
	}
}

// forgetRef drops the target cached under key (caller + "/" + ref): a
// connection of the caller's own that now has that link name comes before
// one shared with them.
func (tc *targetCache) forgetRef(key string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.gen++
	delete(tc.byID, key)
}

// cached returns the target under key if it can be used as it is.
func (m *Manager) cached(key string) *target {
	t := m.targets.get(key, m.now())
	if t == nil || (t.svc.AuthType == shared.AuthOAuth2 && !fresh(t.token, m.clock())) {
		return nil
	}
	return t
}

// resolve finds a usable connection, the caller's own or one shared with
// them, and what is needed to call its API. Callers that miss the cache
// together wait for one load, which runs apart from the first caller's
// cancellation since the others need it.
func (m *Manager) resolve(ctx context.Context, caller, ref string) (*target, error) {
	key := caller + "/" + ref
	if t := m.cached(key); t != nil {
		if err := m.stillShared(ctx, caller, key, t); err != nil {
			return nil, err
		}
		return t, nil
	}
	v, err, _ := m.targets.loading.Do(key, func() (any, error) {
		if t := m.cached(key); t != nil {
			return t, nil // stored by a load that just ended
		}
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return m.load(lctx, caller, ref, key)
	})
	if err != nil {
		return nil, err
	}
	return v.(*target), nil
}

// stillShared checks, for a cached target shared with caller, that its
// owner may still share it, so that a demoted or disabled owner's shares
// end at once rather than when the target expires.
func (m *Manager) stillShared(ctx context.Context, caller, key string, t *target) error {
	if t.owner == caller {
		return nil
	}
	ok, err := m.mayShare(ctx, t.owner)
	if err != nil {
		return err
	}
	if !ok {
		m.targets.forgetRef(key)
		return notFound("connection")
	}
	return nil
}

// load reads a connection, its service and its credentials, refreshing an
// OAuth 2.0 token close to expiry, and caches the result under key.
func (m *Manager) load(ctx context.Context, caller, ref, key string) (*target, error) {
	gen := m.targets.generation()
	c, owner, err := m.reachable(ctx, caller, ref)
	if err != nil {
		return nil, err
	}
	if err := usable(c); err != nil {
		return nil, err
	}
	svc, _, err := m.service(ctx, owner, c.ServiceID)
	if err != nil {
		return nil, err
	}
	t := &target{owner: owner, conn: c, svc: &svc, expires: m.now().Add(targetTTL)}
	values := placeholderValues(c)
	if svc.AuthType == shared.AuthOAuth2 {
		tok, err := m.freshTokens(ctx, owner, &svc, c, "")
		if err != nil {
			return nil, err
		}
		t.token = tok
	} else {
		secret, err := m.loadParams(ctx, owner, c.ID)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, fail(shared.CodeNotConnected, "The connection %q has no stored credentials; authorize it again.", c.LinkName)
			}
			return nil, err
		}
		values = authValues(c, secret)
		t.values = values
	}
	if svc.APIBaseURL == "" {
		return nil, fail(shared.CodeValidation, "%s has no API base URL, so requests cannot be proxied to it.", svc.Name)
	}
	base, err := shared.FillURL(svc.APIBaseURL, values)
	if err != nil {
		return nil, fail(shared.CodeValidation, "The API address of %s cannot be formed: %v.", svc.Name, err)
	}
	t.base, err = url.Parse(base)
	if err != nil {
		return nil, fail(shared.CodeValidation, "The API address of %s is not valid.", svc.Name)
	}
	m.targets.put(key, t, gen)
	return t, nil
}

// ProxyRequest is a request to forward to a connection's service.
type ProxyRequest struct {
	Method string
	// Path is the part after .../proxy/, joined to the API base URL.
	Path     string
	RawQuery string
	Header   http.Header
	// Body is held whole so that it can be sent again after a refresh.
	Body []byte
}

// Proxy sends a request to a connection's API with the connection's
// credentials, and returns the service's answer for the caller to stream
// back. The connection is the caller's own or one shared with them; the
// credentials and the record of its use are its owner's. An OAuth 2.0
// token close to expiry is refreshed first; a 401 for a token believed
// valid leads to one refresh and one retry, at most once every
// rejectedEvery per connection.
func (m *Manager) Proxy(ctx context.Context, caller, ref string, pr ProxyRequest) (*http.Response, error) {
	t, err := m.resolve(ctx, caller, ref)
	if err != nil {
		return nil, err
	}
	m.usage.mark(t.owner, t.conn.ID, m.now())

	resp, err := m.send(ctx, t, pr)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusUnauthorized || t.svc.AuthType != shared.AuthOAuth2 ||
		m.rejected.allow(t.owner, t.conn.ID) != nil {
		return resp, nil
	}

	// The provider refused a token Plugboard believed valid: refresh once
	// (unless someone already did) and send again. The body is held in memory, and a 401 means the request was
	// not carried out.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	m.targets.forget(t.conn.ID)
	tok, err := m.freshTokens(ctx, t.owner, t.svc, t.conn, t.token.AccessToken)
	if err != nil {
		return nil, err
	}
	retry := *t
	retry.token = tok
	return m.send(ctx, &retry, pr)
}

// send makes one request to the service.
func (m *Manager) send(ctx context.Context, t *target, pr ProxyRequest) (*http.Response, error) {
	raw := strings.TrimPrefix(pr.Path, "/")
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fail(shared.CodeValidation, "The proxied path is not validly escaped.")
	}
	if hasDotSegment(decoded) {
		// Paths are relative to the service's API base; "." and ".."
		// segments would climb out of it on the service's side.
		return nil, fail(shared.CodeValidation,
			"The proxied path may not hold \".\" or \"..\" segments; a backslash counts as a slash.")
	}
	u := *t.base
	u.Path = strings.TrimSuffix(t.base.Path, "/") + "/" + decoded
	u.RawPath = strings.TrimSuffix(t.base.EscapedPath(), "/") + "/" + raw
	u.RawQuery = pr.RawQuery
	req, err := http.NewRequestWithContext(ctx, pr.Method, u.String(), bytes.NewReader(pr.Body))
	if err != nil {
		return nil, fail(shared.CodeValidation, "The request cannot be forwarded: %v.", err)
	}
	req.ContentLength = int64(len(pr.Body))
	if len(pr.Body) == 0 {
		req.Body = http.NoBody
	}
	for k, vs := range pr.Header {
		req.Header[k] = vs
	}
	setServiceHeaders(req, t.svc)
	if t.svc.AuthType == shared.AuthOAuth2 {
		req.Header.Set("Authorization", t.svc.Scheme()+" "+t.token.AccessToken)
	} else {
		applyCredentials(req, t.svc, t.values)
	}
	resp, err := m.proxyOut.Transport().RoundTrip(req)
	if errors.Is(err, outbound.ErrResponseTooLarge) {
		return nil, &Error{Code: shared.CodeProviderError, Err: err,
			Detail: t.svc.Name + " answered with a body larger than the proxy passes on."}
	}
	if err != nil {
		return nil, upstreamError(err, "Forwarding the request to "+t.svc.Name+" failed")
	}
	return resp, nil
}

// usageLog remembers when connections were last used, so that last_used_at
// is written once in a while rather than on every request.
type usageLog struct {
	mu   sync.Mutex
	seen map[string]map[string]time.Time // owner -> connection -> time
}

func (u *usageLog) mark(owner, connID string, t time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.seen == nil {
		u.seen = map[string]map[string]time.Time{}
	}
	if u.seen[owner] == nil {
		u.seen[owner] = map[string]time.Time{}
	}
	u.seen[owner][connID] = t
}

func (u *usageLog) take() map[string]map[string]time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := u.seen
	u.seen = nil
	return out
}

// FlushUsage writes the last-use times gathered since the last flush.
func (m *Manager) FlushUsage(ctx context.Context) error {
	var errs []error
	for owner, used := range m.usage.take() {
		for id, t := range used {
			used[id] = t.UTC().Truncate(time.Millisecond)
		}
		if err := m.store.TouchConnections(ctx, owner, used); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// hasDotSegment reports whether a path holds a "." or ".." segment as
// some server may read it: Windows servers (and others) take a backslash
// for a slash, and servlet containers ignore a ";" path parameter, so
// "..\" and "..;" count as well.
func hasDotSegment(p string) bool {
	segs := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' })
	for _, seg := range segs {
		seg, _, _ = strings.Cut(seg, ";")
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
