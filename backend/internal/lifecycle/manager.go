// Package lifecycle is Plugboard's core: it knows services and connections
// and takes a connection through its life (created, authorized, refreshed,
// verified, revoked, deleted). It never sees an HTTP request: the HTTP edge
// decodes input, calls a Manager, and encodes what it returns. Every
// method takes the user it acts for, whose own records it may touch; a
// connection an admin shared with that user may also be read and called
// through the proxy, nothing more.
package lifecycle

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/catalog"
	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/backend/internal/seal"
	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Manager runs the connection lifecycle.
type Manager struct {
	store       *store.Store
	audit       *audit.Recorder
	keys        *seal.Keyring
	catalog     *catalog.Catalog
	out         *outbound.Client
	callbackURL string
	log         *slog.Logger
	now         func() time.Time
	// instance names this process in refresh leases.
	instance string
	flight   singleflight.Group
	limiter  *attemptLimiter
	// rejected limits the refreshes a service's 401 answers cause.
	rejected *attemptLimiter
	// proxyOut carries proxied requests: same guard, no cap on bodies,
	// which are streamed.
	proxyOut *outbound.Client
	targets  targetCache
	usage    usageLog
}

// Config is what a Manager needs.
type Config struct {
	Store *store.Store
	// Audit receives the security-relevant events of connections and
	// services; nil records none.
	Audit   *audit.Recorder
	Keys    *seal.Keyring
	Catalog *catalog.Catalog
	// Outbound is the only way out to providers.
	Outbound *outbound.Client
	// ProxyOutbound carries proxied API requests; Outbound when nil.
	ProxyOutbound *outbound.Client
	// CallbackURL is the OAuth 2.0 redirect URI registered at providers.
	CallbackURL string
	// Log receives failures of best-effort side effects (a history entry
	// that could not be written), which do not fail the request.
	Log *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// New returns a Manager.
func New(cfg Config) *Manager {
	m := &Manager{
		store:       cfg.Store,
		audit:       cfg.Audit,
		keys:        cfg.Keys,
		catalog:     cfg.Catalog,
		out:         cfg.Outbound,
		callbackURL: cfg.CallbackURL,
		log:         cfg.Log,
		now:         cfg.Now,
		instance:    randomString(6),
		proxyOut:    cfg.ProxyOutbound,
	}
	if m.proxyOut == nil {
		m.proxyOut = cfg.Outbound
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	m.limiter = newAttemptLimiter(m.now, verifyEvery, verifyBurst, "verification attempts")
	m.rejected = newAttemptLimiter(m.now, rejectedEvery, rejectedBurst, "refreshes after a 401")
	return m
}

// CallbackURL is the redirect URI to register at OAuth 2.0 providers.
func (m *Manager) CallbackURL() string { return m.callbackURL }

// clock returns the current time at the database's precision.
func (m *Manager) clock() time.Time { return m.now().UTC().Truncate(time.Millisecond) }

// record appends an event to a connection's history, and the
// security-relevant ones to the audit trail too. The change it describes
// has already happened, so a failure here is logged, not returned.
func (m *Manager) record(ctx context.Context, owner string, c shared.Connection, typ shared.EventType, outcome shared.Outcome, detail string) {
	actor := m.actor(ctx, owner)
	e := shared.Event{
		ID:           store.NewID(),
		ConnectionID: c.ID,
		Type:         typ,
		Outcome:      outcome,
		Actor:        actor.Name,
		Detail:       detail,
		Time:         m.clock(),
	}
	m.targets.forget(c.ID)
	m.targets.forgetRef(owner + "/" + c.LinkName)
	if err := m.store.InsertEvent(context.WithoutCancel(ctx), owner, e); err != nil {
		m.log.ErrorContext(ctx, "record event", "connection", c.ID, "event", typ, "err", err)
	}
	if action, ok := auditedEvents[typ]; ok {
		m.audit.Record(audit.WithActor(ctx, actor), shared.AuditEntry{
			Action: action, Outcome: outcome, Time: e.Time,
			TargetType: "connection", TargetID: c.ID, TargetName: c.LinkName,
			OwnerID: owner, Detail: auditDetail(typ, detail),
		})
	}
}
