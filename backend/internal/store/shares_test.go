package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/store"
)

func TestShares(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	conn := connection("shop")
	other := connection("shop") // the same link name, another owner's
	if err := st.InsertConnection(ctx, "owner-a", conn); err != nil {
		t.Fatalf("insert connection: %v", err)
	}
	if err := st.InsertConnection(ctx, "owner-c", other); err != nil {
		t.Fatalf("insert other owner's connection: %v", err)
	}
	share := store.ShareRecord{ConnectionID: conn.ID, OwnerID: "owner-a", UserID: "user-b",
		CreatedAt: at, CreatedBy: "owner-a"}

	t.Run("put twice", func(t *testing.T) {
		first, created, err := st.PutShare(ctx, share)
		if err != nil || !created {
			t.Fatalf("got created %v, %v, want a new share", created, err)
		}
		again := share
		again.CreatedAt = at.Add(1)
		second, created, err := st.PutShare(ctx, again)
		if err != nil || created || !second.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("got %+v, created %v, %v, want the first share unchanged", second, created, err)
		}
	})
	t.Run("found by id and link name", func(t *testing.T) {
		for _, ref := range []string{conn.ID, "shop"} {
			r, err := st.SharedConnection(ctx, "user-b", ref)
			if err != nil || r.Key != conn.ID || r.OwnerID != "owner-a" {
				t.Errorf("got %s of %s, %v for %q, want %s of owner-a", r.Key, r.OwnerID, err, ref, conn.ID)
			}
		}
	})
	t.Run("not for others", func(t *testing.T) {
		for _, c := range []struct{ user, ref string }{
			{"user-x", conn.ID}, {"user-x", "shop"}, {"user-b", other.ID}, {"owner-a", conn.ID},
		} {
			if _, err := st.SharedConnection(ctx, c.user, c.ref); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("got %v for %s asking for %s, want ErrNotFound", err, c.user, c.ref)
			}
		}
	})
	t.Run("a share naming the wrong owner reaches nothing", func(t *testing.T) {
		forged := store.ShareRecord{ConnectionID: other.ID, OwnerID: "owner-a", UserID: "user-f", CreatedAt: at}
		if _, _, err := st.PutShare(ctx, forged); err != nil {
			t.Fatalf("put: %v", err)
		}
		if _, err := st.SharedConnection(ctx, "user-f", other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
		list, err := st.SharedConnections(ctx, "user-f", store.ConnectionQuery{})
		if err != nil || len(list) != 0 {
			t.Errorf("got %d connections, %v, want none", len(list), err)
		}
	})
	t.Run("lists", func(t *testing.T) {
		list, err := st.ListShares(ctx, "owner-a", conn.ID)
		if err != nil || len(list) != 1 || list[0].UserID != "user-b" {
			t.Errorf("got %+v, %v, want the share with user-b", list, err)
		}
		if list, err := st.ListShares(ctx, "owner-c", conn.ID); err != nil || len(list) != 0 {
			t.Errorf("got %+v, %v for another owner, want none", list, err)
		}
		conns, err := st.SharedConnections(ctx, "user-b", store.ConnectionQuery{Text: "SHO"})
		if err != nil || len(conns) != 1 || conns[0].Key != conn.ID {
			t.Errorf("got %d connections, %v, want %s", len(conns), err, conn.ID)
		}
		conns, err = st.SharedConnections(ctx, "user-b", store.ConnectionQuery{Status: "connected"})
		if err != nil || len(conns) != 0 {
			t.Errorf("got %d connections, %v with status connected, want none", len(conns), err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := st.DeleteShare(ctx, "owner-c", conn.ID, "user-b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v deleting as another owner, want ErrNotFound", err)
		}
		if err := st.DeleteShare(ctx, "owner-a", conn.ID, "user-b"); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if err := st.DeleteShare(ctx, "owner-a", conn.ID, "user-b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v deleting again, want ErrNotFound", err)
		}
		if _, err := st.SharedConnection(ctx, "user-b", conn.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v after delete, want ErrNotFound", err)
		}
	})
	t.Run("delete all of a connection", func(t *testing.T) {
		for _, u := range []string{"user-1", "user-2"} {
			s := share
			s.UserID = u
			if _, _, err := st.PutShare(ctx, s); err != nil {
				t.Fatalf("put: %v", err)
			}
		}
		if err := st.DeleteShares(ctx, "owner-a", conn.ID); err != nil {
			t.Fatalf("delete all: %v", err)
		}
		if list, err := st.ListShares(ctx, "owner-a", conn.ID); err != nil || len(list) != 0 {
			t.Errorf("got %+v, %v, want none", list, err)
		}
	})
}
