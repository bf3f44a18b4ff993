package access

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// newTestStore starts an embedded FerretDB in a fresh folder and opens
// the store on it, both closed when the test ends. It also returns the
// database through the driver, to write documents as older versions did.
func newTestStore(t *testing.T) (*store.Store, *mongo.Database) {
	t.Helper()
	ctx := context.Background()
	e, err := store.StartEmbedded(ctx, t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start embedded database: %v", err)
	}
	t.Cleanup(e.Stop)
	st, err := store.Open(ctx, e.URI(), "plugboard")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	client, err := mongo.Connect(options.Client().ApplyURI(e.URI()))
	if err != nil {
		t.Fatalf("connect to the database: %v", err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return st, client.Database("plugboard")
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestMigrateOwnersFromBeforeUsers(t *testing.T) {
	ctx := context.Background()
	st, db := newTestStore(t)
	// Three owners as older versions stored them: no username, no role.
	// The last two were created in the same second, so their ids start
	// alike.
	ids := []string{"65f000010000000000000001", "65f000020000000000000002", "65f000020000000000000003"}
	for i, id := range ids {
		_, err := db.Collection("owners").InsertOne(ctx, bson.D{
			{Key: "_id", Value: id}, {Key: "name", Value: "owner"},
			{Key: "created_at", Value: time.Date(2025, 1, 1, 0, 0, i, 0, time.UTC)},
		})
		if err != nil {
			t.Fatalf("insert legacy owner: %v", err)
		}
	}

	svc := New(st, nil)
	b, err := svc.Bootstrap(ctx, "")
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	if b.FirstStart || b.APIKey != "" || b.LoginToken == "" {
		t.Errorf("got %+v, want no first start, no key and a sign-in token", b)
	}
	want := []struct {
		username string
		role     shared.Role
	}{
		{"admin", shared.RoleAdmin},
		{"user-65f00002", shared.RoleMember},
		{"user-65f000020000000000000003", shared.RoleMember},
	}
	users, err := svc.ListUsers(ctx)
	if err != nil {
		t.Fatalf("list users: %v", err)
	}
	if len(users) != len(want) {
		t.Fatalf("got %d users, want %d", len(users), len(want))
	}
	for i, u := range users {
		if u.ID != ids[i] || u.Username != want[i].username || u.Role != want[i].role || u.HasPassword {
			t.Errorf("got user %d %+v, want %s %s %s without a password", i, u, ids[i], want[i].username, want[i].role)
		}
	}

	t.Run("usernames are unique afterwards", func(t *testing.T) {
		err := st.InsertOwner(ctx, store.Owner{ID: store.NewID(), Username: "admin", Role: shared.RoleMember})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("got %v inserting a second admin username, want ErrDuplicate", err)
		}
	})
	t.Run("a second start changes nothing", func(t *testing.T) {
		if _, err := New(st, nil).Bootstrap(ctx, ""); err != nil {
			t.Fatalf("bootstrap again: %v", err)
		}
		again, err := svc.ListUsers(ctx)
		if err != nil {
			t.Fatalf("list users: %v", err)
		}
		for i := range want {
			if again[i] != users[i] {
				t.Errorf("got %+v after a second start, want %+v", again[i], users[i])
			}
		}
	})
	t.Run("the sign-in token is the admin's", func(t *testing.T) {
		sess, err := svc.SignInWithLoginToken(ctx, b.LoginToken, "192.0.2.1")
		if err != nil || sess.OwnerID != ids[0] {
			t.Errorf("got session of %q, %v; want the admin's", sess.OwnerID, err)
		}
	})
}

func TestFirstStart(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	svc := New(st, nil)
	b, err := svc.Bootstrap(ctx, "")
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	p, err := svc.Authenticate(ctx, b.APIKey)
	if err != nil {
		t.Fatalf("authenticate with the first key: %v", err)
	}
	if p.Username != FirstUsername || !p.IsAdmin() || p.User().HasPassword {
		t.Errorf("got %+v, want the admin %q without a password", p.User(), FirstUsername)
	}

	id, _, err := svc.CreateOwner(ctx, "Second Owner!")
	if err != nil {
		t.Fatalf("create owner: %v", err)
	}
	id2, _, err := svc.CreateOwner(ctx, "second owner")
	if err != nil {
		t.Fatalf("create owner again: %v", err)
	}
	for _, tt := range []struct{ id, want string }{{id, "second-owner"}, {id2, "second-owner-2"}} {
		u, err := svc.GetUser(ctx, tt.id)
		if err != nil || u.Username != tt.want || u.Role != shared.RoleMember {
			t.Errorf("got %+v, %v; want member %s", u, err, tt.want)
		}
	}
}

func TestSessionLifetime(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	svc := New(st, nil)
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	svc.now = clk.now
	if _, err := svc.Bootstrap(ctx, ""); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	_, key, err := svc.CreateOwner(ctx, "sessions")
	if err != nil {
		t.Fatalf("create owner: %v", err)
	}
	start := func(t *testing.T) string {
		t.Helper()
		s, err := svc.SignInWithKey(ctx, key, "192.0.2.1")
		if err != nil {
			t.Fatalf("sign in: %v", err)
		}
		return s.Token
	}
	// steps are waits before using the session, and whether it must then
	// still work.
	type step struct {
		wait time.Duration
		live bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"used now and then", []step{
			{time.Hour, true}, {SessionIdle - time.Minute, true}, {SessionIdle - time.Minute, true},
		}},
		{"left idle", []step{{time.Minute, true}, {SessionIdle + time.Minute, false}}},
		{"idle until just before the limit, unused", []step{{SessionIdle - time.Minute, true}}},
		{"kept busy past its lifetime", []step{
			{90 * time.Minute, true}, {90 * time.Minute, true}, {90 * time.Minute, true}, {90 * time.Minute, true},
			{90 * time.Minute, true}, {90 * time.Minute, true}, {90 * time.Minute, true}, {89 * time.Minute, true},
			{2 * time.Minute, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := start(t)
			for i, s := range tt.steps {
				clk.advance(s.wait)
				_, err := svc.SessionPrincipal(ctx, tok)
				if got := err == nil; got != s.live {
					t.Fatalf("step %d (after %v): got working %v (%v), want %v", i, s.wait, got, err, s.live)
				}
				if !s.live && !errors.Is(err, ErrUnauthenticated) {
					t.Errorf("step %d: got %v, want ErrUnauthenticated", i, err)
				}
			}
		})
	}
}

func TestLastAdminAcrossInstances(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	first := New(st, nil)
	b, err := first.Bootstrap(ctx, "")
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	by, err := first.Authenticate(ctx, b.APIKey)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	second, err := first.CreateUser(ctx, by, shared.UserInput{Username: "second", Role: shared.RoleAdmin,
		Password: "second admin's password"})
	if err != nil {
		t.Fatalf("create second admin: %v", err)
	}

	// Two server instances each demote one of the two admins at once:
	// one of them must be refused.
	member := shared.RoleMember
	instances := []*Service{first, New(st, nil)}
	targets := []string{by.OwnerID, second.ID}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = instances[i].UpdateUser(ctx, by, targets[i], shared.UserPatch{Role: &member})
		})
	}
	wg.Wait()

	refused := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, ErrLastAdmin):
			refused++
		case err != nil:
			t.Errorf("got %v, want success or ErrLastAdmin", err)
		}
	}
	n, err := st.CountActiveAdmins(ctx)
	if err != nil {
		t.Fatalf("count admins: %v", err)
	}
	if refused != 1 || n != 1 {
		t.Errorf("got %d refused and %d admins left, want 1 and 1", refused, n)
	}
}
