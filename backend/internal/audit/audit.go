// Package audit writes Plugboard's audit trail: one entry per
// security-relevant event (signing in, keys, users, services, and the
// life of each connection), with who acted, on what, when and how it
// ended. Entries never hold secrets; their words are Plugboard's own.
//
// The trail is stored in the database, so every server instance writes to
// and reads the same one.
package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Actor is who a request acts for, as the trail names them.
type Actor struct {
	UserID string
	// Name is the user's username, or "system" for Plugboard itself.
	Name string
	// Via is how the actor signed in: "session", "api_key:<id>",
	// "password", "sign_in_link", "system", or "oauth_callback" for a
	// browser back from a provider with the state of the owner's flow.
	Via string
	IP  string
}

// System is the actor of work Plugboard does on its own, such as a
// refresh in the background.
var System = Actor{Name: "system", Via: "system"}

type actorKey struct{}

// WithActor returns a context that names who acts.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor ctx names, and whether it names one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// Recorder appends entries to the trail and reads them back.
type Recorder struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
}

// New returns a Recorder writing to st. Failures to write are logged to
// log; they never fail the request whose event it was, since the change
// has already happened.
func New(st *store.Store, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	return &Recorder{store: st, log: log, now: time.Now}
}

// Record appends e to the trail. The id and time are filled in, and the
// actor fields too, from ctx, when e leaves them empty. A nil Recorder
// records nothing, so tests of other packages may leave it out.
func (r *Recorder) Record(ctx context.Context, e shared.AuditEntry) {
	if r == nil {
		return
	}
	if e.ID == "" {
		e.ID = store.NewID()
	}
	if e.Time.IsZero() {
		e.Time = r.now().UTC().Truncate(time.Millisecond)
	}
	if e.Outcome == "" {
		e.Outcome = shared.OutcomeOK
	}
	if a, ok := ActorFrom(ctx); ok {
		if e.ActorID == "" && e.ActorName == "" {
			e.ActorID, e.ActorName = a.UserID, a.Name
		}
		if e.Via == "" {
			e.Via = a.Via
		}
		if e.IP == "" {
			e.IP = a.IP
		}
	}
	if e.ActorName == "" && e.ActorID == "" {
		e.ActorName = System.Name
	}
	if err := r.store.InsertAudit(context.WithoutCancel(ctx), e); err != nil {
		r.log.ErrorContext(ctx, "record audit entry", "action", e.Action, "err", err)
	}
}
