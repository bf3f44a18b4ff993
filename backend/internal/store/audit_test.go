package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// auditEntries stores n entries, two per millisecond so that the id
// decides the order within one time, and returns their ids newest first.
func auditEntries(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		e := shared.AuditEntry{
			ID: store.NewID(), Time: at.Add(time.Duration(i/2) * time.Millisecond),
			Action: shared.AuditConnCreated, Outcome: shared.OutcomeOK, ActorName: "admin",
			ActorID: []string{"user-a", "user-b"}[i%2], TargetID: "target-" + string(rune('a'+i%3)),
		}
		if i%4 == 3 {
			e.Action = shared.AuditConnDeleted
		}
		if err := st.InsertAudit(context.Background(), e); err != nil {
			t.Fatalf("insert audit entry %d: %v", i, err)
		}
		ids = append(ids, e.ID)
	}
	slices.Reverse(ids)
	return ids
}

func TestListAuditPages(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	want := auditEntries(t, st, 9)

	var got []string
	q := store.AuditQuery{Limit: 2}
	for page := 0; page < 10; page++ {
		list, err := st.ListAudit(ctx, q)
		if err != nil {
			t.Fatalf("list page %d: %v", page, err)
		}
		for _, e := range list {
			got = append(got, e.ID)
		}
		if len(list) < 2 {
			break
		}
		last := list[len(list)-1]
		c, err := store.ParseAuditCursor(store.AuditCursor{Time: last.Time, ID: last.ID}.String())
		if err != nil {
			t.Fatalf("parse the cursor of page %d: %v", page, err)
		}
		q.Before = &c
	}
	if !slices.Equal(got, want) {
		t.Errorf("got ids %v page by page, want %v", got, want)
	}
}

func TestListAuditFilters(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	auditEntries(t, st, 12)

	tests := []struct {
		name  string
		q     store.AuditQuery
		want  int
		match func(shared.AuditEntry) bool
	}{
		{name: "action", q: store.AuditQuery{Action: shared.AuditConnDeleted}, want: 3,
			match: func(e shared.AuditEntry) bool { return e.Action == shared.AuditConnDeleted }},
		{name: "actor", q: store.AuditQuery{ActorID: "user-b"}, want: 6,
			match: func(e shared.AuditEntry) bool { return e.ActorID == "user-b" }},
		{name: "target", q: store.AuditQuery{TargetID: "target-a"}, want: 4,
			match: func(e shared.AuditEntry) bool { return e.TargetID == "target-a" }},
		{name: "actor and action", q: store.AuditQuery{ActorID: "user-b", Action: shared.AuditConnDeleted},
			want: 3, match: func(e shared.AuditEntry) bool {
				return e.ActorID == "user-b" && e.Action == shared.AuditConnDeleted
			}},
		{name: "nothing", q: store.AuditQuery{TargetID: "target-z"}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Limit = 100
			list, err := st.ListAudit(ctx, tt.q)
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			if len(list) != tt.want {
				t.Errorf("got %d entries, want %d", len(list), tt.want)
			}
			for _, e := range list {
				if !tt.match(e) {
					t.Errorf("got entry %+v, which the filter should have left out", e)
				}
			}
		})
	}
}

func TestParseAuditCursorRefusesOthers(t *testing.T) {
	good := store.AuditCursor{Time: at, ID: store.NewID()}
	back, err := store.ParseAuditCursor(good.String())
	if err != nil || !back.Time.Equal(good.Time) || back.ID != good.ID {
		t.Errorf("got %+v, %v from a cursor's text, want %+v", back, err, good)
	}
	for _, s := range []string{"", "%%%", "bm90LWEtY3Vyc29y", good.String() + "x", "MTIzOnNob3J0"} {
		if _, err := store.ParseAuditCursor(s); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("got %v for cursor %q, want ErrBadCursor", err, s)
		}
	}
}
