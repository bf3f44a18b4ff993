package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
)

// racers is how many callers race for one lease or one state, as server
// instances sharing the database would.
const racers = 20

// race runs fn for racers callers at once and counts those that won.
func race(t *testing.T, fn func(i int) (bool, error)) int {
	t.Helper()
	var mu sync.Mutex
	won := 0
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := fn(i)
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return won
}

// TestLeaseRace has many holders ask for one lease at the same moment:
// exactly one gets it, whether the lease is new, expired, or released.
func TestLeaseRace(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	const ttl = time.Minute
	tests := []struct {
		name  string
		setup func(t *testing.T, lease string)
		now   time.Time
	}{
		{name: "no lease yet", now: at},
		{
			name: "expired lease",
			setup: func(t *testing.T, lease string) {
				if ok, err := st.AcquireLease(ctx, lease, "old", at, ttl); !ok || err != nil {
					t.Fatalf("take the lease first: %v, %v", ok, err)
				}
			},
			now: at.Add(ttl + time.Second),
		},
		{
			name: "released lease",
			setup: func(t *testing.T, lease string) {
				if ok, err := st.AcquireLease(ctx, lease, "old", at, ttl); !ok || err != nil {
					t.Fatalf("take the lease first: %v, %v", ok, err)
				}
				if err := st.ReleaseLease(ctx, lease, "old"); err != nil {
					t.Fatalf("release: %v", err)
				}
			},
			now: at.Add(time.Second),
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lease := fmt.Sprintf("refresh:race%d", i)
			if tt.setup != nil {
				tt.setup(t, lease)
			}

			won := race(t, func(i int) (bool, error) {
				return st.AcquireLease(ctx, lease, fmt.Sprintf("holder%d", i), tt.now, ttl)
			})

			if won != 1 {
				t.Errorf("%d of %d holders got the lease, want 1", won, racers)
			}
		})
	}
}

// TestStateRace has many callbacks take one authorization state at the
// same moment: exactly one gets it.
func TestStateRace(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	if err := st.InsertState(ctx, store.AuthState{Hash: "race", OwnerID: "o", ConnectionID: "c",
		CreatedAt: at, ExpiresAt: at.Add(time.Minute)}); err != nil {
		t.Fatalf("insert state: %v", err)
	}

	won := race(t, func(int) (bool, error) {
		s, err := st.TakeState(ctx, "race")
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil && s.ConnectionID == "c", err
	})

	if won != 1 {
		t.Errorf("%d of %d callbacks took the state, want 1", won, racers)
	}
}
