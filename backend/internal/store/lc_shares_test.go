package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/store"
)

// TestPutShareRacesDelete puts and deletes one share in parallel, round
// after round: PutShare always answers the share, never an error.
func TestPutShareRacesDelete(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	conn := connection("racy")
	if err := st.InsertConnection(ctx, "owner-a", conn); err != nil {
		t.Fatalf("insert connection: %v", err)
	}
	share := store.ShareRecord{ConnectionID: conn.ID, OwnerID: "owner-a", UserID: "user-b",
		CreatedAt: at, CreatedBy: "owner-a"}

	errs := make(chan error, 8)
	for range 100 {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, _, err := st.PutShare(ctx, share); err != nil {
					errs <- err
				}
			})
			wg.Go(func() { _ = st.DeleteShare(ctx, "owner-a", conn.ID, "user-b") })
		}
		wg.Wait()
		select {
		case err := <-errs:
			t.Fatalf("PutShare: got %v, want the share", err)
		default:
		}
	}
}

// TestSharedLinkNameAmbiguous shares two connections of different owners
// with the same link name with one user: the link name is refused as
// ambiguous, each id still finds its connection.
func TestSharedLinkNameAmbiguous(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	a, c := connection("twin"), connection("twin")
	if err := st.InsertConnection(ctx, "owner-a", a); err != nil {
		t.Fatalf("insert connection: %v", err)
	}
	if err := st.InsertConnection(ctx, "owner-c", c); err != nil {
		t.Fatalf("insert connection: %v", err)
	}
	for owner, id := range map[string]string{"owner-a": a.ID, "owner-c": c.ID} {
		if _, _, err := st.PutShare(ctx, store.ShareRecord{ConnectionID: id, OwnerID: owner,
			UserID: "user-b", CreatedAt: at, CreatedBy: owner}); err != nil {
			t.Fatalf("put share: %v", err)
		}
	}

	if _, err := st.SharedConnection(ctx, "user-b", "twin"); !errors.Is(err, store.ErrAmbiguous) {
		t.Errorf("got %v for the link name, want ErrAmbiguous", err)
	}
	for _, id := range []string{a.ID, c.ID} {
		if r, err := st.SharedConnection(ctx, "user-b", id); err != nil || r.Key != id {
			t.Errorf("got %+v, %v for %s, want that connection", r.Key, err, id)
		}
	}
}
