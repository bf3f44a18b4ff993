package store_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/seal"
	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// newTestStore starts an embedded FerretDB in a fresh folder and opens
// the store on it, both closed when the test ends.
func newTestStore(t *testing.T) (*store.Store, string) {
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
	return st, e.URI()
}

// at is a fixed instant at the database's precision.
var at = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func connection(link string) shared.Connection {
	return shared.Connection{
		ID: store.NewID(), Name: "Conn " + link, LinkName: link, ServiceID: "github",
		Scopes: []string{}, GrantedScopes: []string{}, Config: map[string]string{},
		Status: shared.StatusPending, CreatedAt: at, UpdatedAt: at,
	}
}

func TestLinkNameUniqueOnInsert(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	if err := st.InsertConnection(ctx, "owner-a", connection("shop")); err != nil {
		t.Fatalf("first insert: %v", err)
	}

	tests := []struct {
		name  string
		owner string
		link  string
		dup   bool
	}{
		{name: "same owner, same link name", owner: "owner-a", link: "shop", dup: true},
		{name: "same owner, other link name", owner: "owner-a", link: "shop_2"},
		{name: "other owner, same link name", owner: "owner-b", link: "shop"},
		{name: "other owner, same link name again", owner: "owner-b", link: "shop", dup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := st.InsertConnection(ctx, tt.owner, connection(tt.link))
			if got := errors.Is(err, store.ErrDuplicate); got != tt.dup {
				t.Fatalf("got error %v (duplicate %v), want duplicate %v", err, got, tt.dup)
			}
			if !tt.dup && err != nil {
				t.Fatalf("got %v, want no error", err)
			}
		})
	}
}

// TestLinkNameUniqueOnUpdate renames connections into taken link names.
// FerretDB reports this violation differently from an insert's, and the
// store must still answer ErrDuplicate and leave the record as it was.
func TestLinkNameUniqueOnUpdate(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	a1, a2, b1 := connection("alpha"), connection("beta"), connection("gamma")
	for _, c := range []struct {
		owner string
		c     shared.Connection
	}{{"owner-a", a1}, {"owner-a", a2}, {"owner-b", b1}} {
		if err := st.InsertConnection(ctx, c.owner, c.c); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		owner   string
		id      string
		set     store.Fields
		wantErr error
	}{
		{name: "into a taken link name", owner: "owner-a", id: a2.ID,
			set: store.Fields{"link_name": "alpha"}, wantErr: store.ErrDuplicate},
		{name: "into a taken link name with other changes", owner: "owner-a", id: a2.ID,
			set: store.Fields{"link_name": "alpha", "name": "Changed", "updated_at": at.Add(time.Hour)}, wantErr: store.ErrDuplicate},
		{name: "into another owner's link name", owner: "owner-b", id: b1.ID,
			set: store.Fields{"link_name": "alpha"}},
		{name: "into a free link name", owner: "owner-a", id: a2.ID,
			set: store.Fields{"link_name": "delta"}},
		{name: "another owner's connection", owner: "owner-b", id: a1.ID,
			set: store.Fields{"name": "Taken over"}, wantErr: store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := st.GetConnection(ctx, tt.owner, tt.id)
			got, err := st.SetConnection(ctx, tt.owner, tt.id, nil, tt.set)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				after, _ := st.GetConnection(ctx, tt.owner, tt.id)
				if after.LinkName != before.LinkName || after.Name != before.Name || !after.UpdatedAt.Equal(before.UpdatedAt) {
					t.Errorf("got %q %q %v after a refused update, want %q %q %v",
						after.LinkName, after.Name, after.UpdatedAt, before.LinkName, before.Name, before.UpdatedAt)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if got.LinkName != tt.set["link_name"] {
				t.Errorf("got link name %q, want %q", got.LinkName, tt.set["link_name"])
			}
		})
	}

	t.Run("the old link name is free after a rename", func(t *testing.T) {
		if err := st.InsertConnection(ctx, "owner-a", connection("beta")); err != nil {
			t.Errorf("got %v, want beta free again", err)
		}
	})
}

func TestOpenAgainKeepsIndexes(t *testing.T) {
	ctx := context.Background()
	st, uri := newTestStore(t)
	if err := st.InsertConnection(ctx, "owner-a", connection("shop")); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(ctx, uri, "plugboard")
	if err != nil {
		t.Fatalf("open a second time: %v", err)
	}
	defer again.Close(ctx)
	if err := again.InsertConnection(ctx, "owner-a", connection("shop")); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("got %v, want ErrDuplicate from the unique index", err)
	}
}

func TestServiceRecords(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	rec := store.ServiceRecord{OwnerID: "owner-a", ServiceID: "docs",
		Def: shared.Service{ID: "docs", Name: "Docs", AuthType: shared.AuthOAuth2,
			OAuth2: shared.OAuth2{ClientID: "cid", ClientSecret: "never-stored"}},
		ClientSecret: &seal.Sealed{KeyID: "k1", Nonce: make([]byte, 12), Data: []byte("sealed")}}
	if err := st.InsertService(ctx, rec); err != nil {
		t.Fatal(err)
	}

	t.Run("insert again", func(t *testing.T) {
		if err := st.InsertService(ctx, rec); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("got %v, want ErrDuplicate", err)
		}
	})
	t.Run("same id, other owner", func(t *testing.T) {
		other := rec
		other.OwnerID = "owner-b"
		if err := st.InsertService(ctx, other); err != nil {
			t.Errorf("got %v, want no error", err)
		}
	})
	t.Run("read back without the plain secret", func(t *testing.T) {
		got, err := st.GetService(ctx, "owner-a", "docs")
		if err != nil {
			t.Fatal(err)
		}
		if got.Def.ClientSecret != "" || got.ClientSecret == nil || string(got.ClientSecret.Data) != "sealed" {
			t.Errorf("got secret %q sealed %v, want \"\" and the sealed value", got.Def.ClientSecret, got.ClientSecret)
		}
		if got.Version != 1 || got.Def.ClientID != "cid" {
			t.Errorf("got version %d client %q, want 1 cid", got.Version, got.Def.ClientID)
		}
	})
	t.Run("another owner's", func(t *testing.T) {
		if _, err := st.GetService(ctx, "owner-c", "docs"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("replace at the version read, then at a stale one", func(t *testing.T) {
		cur, err := st.GetService(ctx, "owner-a", "docs")
		if err != nil {
			t.Fatal(err)
		}
		cur.Def.Name = "Docs v2"
		next, err := st.ReplaceService(ctx, cur)
		if err != nil || next.Version != cur.Version+1 {
			t.Fatalf("got version %d, %v; want %d", next.Version, err, cur.Version+1)
		}
		cur.Def.Name = "Stale write"
		if _, err := st.ReplaceService(ctx, cur); !errors.Is(err, store.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
		got, _ := st.GetService(ctx, "owner-a", "docs")
		if got.Def.Name != "Docs v2" {
			t.Errorf("got name %q, want Docs v2", got.Def.Name)
		}
	})
	t.Run("list is per owner", func(t *testing.T) {
		list, err := st.ListServices(ctx, "owner-b")
		if err != nil || len(list) != 1 || list[0].OwnerID != "owner-b" {
			t.Errorf("got %+v, %v; want owner-b's one record", list, err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := st.DeleteService(ctx, "owner-c", "docs"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v deleting another owner's, want ErrNotFound", err)
		}
		if err := st.DeleteService(ctx, "owner-a", "docs"); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteService(ctx, "owner-a", "docs"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v deleting twice, want ErrNotFound", err)
		}
		if _, err := st.GetService(ctx, "owner-b", "docs"); err != nil {
			t.Errorf("got %v, want owner-b's record kept", err)
		}
	})
}

func TestOwnerFilters(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	c := connection("shop")
	if err := st.InsertConnection(ctx, "owner-a", c); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutCredential(ctx, store.Credential{ConnectionID: c.ID, OwnerID: "owner-a", Kind: store.KindParams,
		Sealed: seal.Sealed{KeyID: "k1", Nonce: make([]byte, 12), Data: []byte("x")}, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertEvent(ctx, "owner-a", shared.Event{ConnectionID: c.ID, Type: shared.EventCreated, Time: at}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		do   func(owner string) error
	}{
		{name: "get by id", do: func(o string) error { _, err := st.GetConnection(ctx, o, c.ID); return err }},
		{name: "get by link name", do: func(o string) error { _, err := st.GetConnection(ctx, o, c.LinkName); return err }},
		{name: "set", do: func(o string) error {
			_, err := st.SetConnection(ctx, o, c.ID, nil, store.Fields{"name": "x"})
			return err
		}},
		{name: "get credential", do: func(o string) error { _, err := st.GetCredential(ctx, o, c.ID); return err }},
		{name: "delete", do: func(o string) error { return st.DeleteConnection(ctx, o, c.ID) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do("owner-b"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("got %v for another owner, want ErrNotFound", err)
			}
		})
	}

	t.Run("lists", func(t *testing.T) {
		conns, err := st.ListConnections(ctx, "owner-b", store.ConnectionQuery{})
		if err != nil || len(conns) != 0 {
			t.Errorf("got %d connections, %v; want none", len(conns), err)
		}
		events, err := st.ListEvents(ctx, "owner-b", c.ID, 10)
		if err != nil || len(events) != 0 {
			t.Errorf("got %d events, %v; want none", len(events), err)
		}
		if n, err := st.CountConnections(ctx, "owner-b", "github"); err != nil || n != 0 {
			t.Errorf("got count %d, %v; want 0", n, err)
		}
	})
	t.Run("another owner's credential cannot be overwritten", func(t *testing.T) {
		_, err := st.PutCredential(ctx, store.Credential{ConnectionID: c.ID, OwnerID: "owner-b", Kind: store.KindParams,
			Sealed: seal.Sealed{KeyID: "k1", Nonce: make([]byte, 12), Data: []byte("evil")}, UpdatedAt: at})
		if err == nil {
			t.Error("got no error writing a credential under another owner's connection id, want one")
		}
		got, err := st.GetCredential(ctx, "owner-a", c.ID)
		if err != nil || string(got.Sealed.Data) != "x" {
			t.Errorf("got %q, %v; want the owner's credential unchanged", got.Sealed.Data, err)
		}
	})
	t.Run("still there for its owner", func(t *testing.T) {
		got, err := st.GetConnection(ctx, "owner-a", c.LinkName)
		if err != nil || got.ID != c.ID || got.Name != c.Name {
			t.Errorf("got %+v, %v; want the connection unchanged", got, err)
		}
	})
}

func TestCredentialVersions(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	cred := store.Credential{ConnectionID: store.NewID(), OwnerID: "owner-a", Kind: store.KindOAuth2,
		Sealed: seal.Sealed{KeyID: "k1", Nonce: make([]byte, 12), Data: []byte("v1")}, UpdatedAt: at}
	first, err := st.PutCredential(ctx, cred)
	if err != nil || first.Version != 1 {
		t.Fatalf("got version %d, %v; want 1", first.Version, err)
	}
	first.Sealed.Data = []byte("v2")
	second, err := st.SwapCredential(ctx, first)
	if err != nil || second.Version != 2 {
		t.Fatalf("got version %d, %v; want 2", second.Version, err)
	}
	first.Sealed.Data = []byte("stale")
	if _, err := st.SwapCredential(ctx, first); !errors.Is(err, store.ErrConflict) {
		t.Errorf("got %v swapping at a stale version, want ErrConflict", err)
	}
	got, _ := st.GetCredential(ctx, "owner-a", cred.ConnectionID)
	if string(got.Sealed.Data) != "v2" {
		t.Errorf("got %q, want v2", got.Sealed.Data)
	}
}

func TestLeases(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	const ttl = time.Minute

	steps := []struct {
		name   string
		do     string // acquire or release
		holder string
		now    time.Time
		want   bool
	}{
		{name: "free lease", do: "acquire", holder: "a", now: at, want: true},
		{name: "held by another", do: "acquire", holder: "b", now: at.Add(time.Second), want: false},
		{name: "held by itself", do: "acquire", holder: "a", now: at.Add(2 * time.Second), want: true},
		{name: "still held, extended", do: "acquire", holder: "b", now: at.Add(ttl + time.Second), want: false},
		{name: "expired", do: "acquire", holder: "b", now: at.Add(2*ttl + 3*time.Second), want: true},
		{name: "the old holder lost it", do: "acquire", holder: "a", now: at.Add(2*ttl + 4*time.Second), want: false},
		{name: "release by a non-holder", do: "release", holder: "a"},
		{name: "still held after that", do: "acquire", holder: "a", now: at.Add(2*ttl + 5*time.Second), want: false},
		{name: "release by the holder", do: "release", holder: "b"},
		{name: "free after release", do: "acquire", holder: "a", now: at.Add(2*ttl + 6*time.Second), want: true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.do == "release" {
				if err := st.ReleaseLease(ctx, "refresh:conn1", s.holder); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := st.AcquireLease(ctx, "refresh:conn1", s.holder, s.now, ttl)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got != s.want {
				t.Errorf("got %v, want %v", got, s.want)
			}
		})
	}

	t.Run("leases are independent", func(t *testing.T) {
		got, err := st.AcquireLease(ctx, "refresh:conn2", "b", at, ttl)
		if err != nil || !got {
			t.Errorf("got %v, %v; want another lease free", got, err)
		}
	})
}

func TestOneTimeRecords(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)

	t.Run("login token works once", func(t *testing.T) {
		if err := st.InsertLoginToken(ctx, store.LoginToken{Hash: "h1", OwnerID: "o", ExpiresAt: at.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UseLoginToken(ctx, "h1", at); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if _, err := st.UseLoginToken(ctx, "h1", at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v on second use, want ErrNotFound", err)
		}
	})
	t.Run("expired login token", func(t *testing.T) {
		if err := st.InsertLoginToken(ctx, store.LoginToken{Hash: "h2", OwnerID: "o", ExpiresAt: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UseLoginToken(ctx, "h2", at.Add(time.Second)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("session until it expires", func(t *testing.T) {
		if err := st.InsertSession(ctx, store.Session{Hash: "s1", OwnerID: "o", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByHash(ctx, "s1", at.Add(time.Minute)); err != nil {
			t.Errorf("got %v before expiry, want the session", err)
		}
		if _, err := st.SessionByHash(ctx, "s1", at.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v after expiry, want ErrNotFound", err)
		}
		if err := st.DeleteSession(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByHash(ctx, "s1", at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v after delete, want ErrNotFound", err)
		}
	})
	t.Run("authorization state taken once", func(t *testing.T) {
		if err := st.InsertState(ctx, store.AuthState{Hash: "st1", OwnerID: "o", ConnectionID: "c",
			Verifier:  seal.Sealed{KeyID: "k", Nonce: make([]byte, 12), Data: []byte("v")},
			CreatedAt: at, ExpiresAt: at.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TakeState(ctx, "st1"); err != nil {
			t.Fatalf("first take: %v", err)
		}
		if _, err := st.TakeState(ctx, "st1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v on second take, want ErrNotFound", err)
		}
	})
	t.Run("sweep removes only expired records", func(t *testing.T) {
		_ = st.InsertSession(ctx, store.Session{Hash: "old", OwnerID: "o", ExpiresAt: at})
		_ = st.InsertSession(ctx, store.Session{Hash: "new", OwnerID: "o", ExpiresAt: at.Add(time.Hour)})
		if err := st.Sweep(ctx, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		// Both would be expired at at+2h; only the swept one is gone
		// for a reader that ignores expiry by asking at an early time.
		if _, err := st.SessionByHash(ctx, "old", at.Add(-time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want the expired session swept", err)
		}
		if _, err := st.SessionByHash(ctx, "new", at); err != nil {
			t.Errorf("got %v, want the live session kept", err)
		}
	})
}

func TestTouchConnectionsMovesForward(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	c := connection("shop")
	if err := st.InsertConnection(ctx, "owner-a", c); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{name: "first use", at: at.Add(time.Hour), want: at.Add(time.Hour)},
		{name: "later use", at: at.Add(2 * time.Hour), want: at.Add(2 * time.Hour)},
		{name: "earlier use is ignored", at: at.Add(time.Minute), want: at.Add(2 * time.Hour)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := st.TouchConnections(ctx, "owner-a", map[string]time.Time{c.ID: tt.at}); err != nil {
				t.Fatal(err)
			}
			got, _ := st.GetConnection(ctx, "owner-a", c.ID)
			if !got.LastUsedAt.Equal(tt.want) {
				t.Errorf("got last used %v, want %v", got.LastUsedAt, tt.want)
			}
		})
	}
	t.Run("another owner cannot touch it", func(t *testing.T) {
		if err := st.TouchConnections(ctx, "owner-b", map[string]time.Time{c.ID: at.Add(5 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetConnection(ctx, "owner-a", c.ID)
		if !got.LastUsedAt.Equal(at.Add(2 * time.Hour)) {
			t.Errorf("got last used %v, want it unchanged", got.LastUsedAt)
		}
	})
}
