package ui

import (
	"testing"

	"github.com/plugboard/plugboard/shared"
)

func TestServiceOf(t *testing.T) {
	own := map[string]shared.Service{
		"shop": {ID: "shop", Name: "My shop", APIBaseURL: "https://mine.example", AuthType: shared.AuthAPIKey},
	}
	owners := &shared.ServiceSummary{ID: "shop", Name: "Alice's shop", AuthType: shared.AuthBasic,
		APIBaseURL: "https://{subdomain}.alice.example", Icon: "/i.svg", DocsURL: "https://docs.example"}
	tests := []struct {
		name      string
		conn      shared.Connection
		wantName  string
		wantBase  string
		wantAuth  shared.AuthType
		wantKnown bool
	}{
		{"own", shared.Connection{ServiceID: "shop"},
			"My shop", "https://mine.example", shared.AuthAPIKey, true},
		{"own, service gone", shared.Connection{ServiceID: "gone"}, "gone", "", "", false},
		{"shared, same id as one of the user's",
			shared.Connection{ServiceID: "shop", SharedBy: "alice", Service: owners},
			"Alice's shop", "https://{subdomain}.alice.example", shared.AuthBasic, true},
		{"shared, without a summary", shared.Connection{ServiceID: "shop", SharedBy: "alice"},
			"shop", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, known := serviceOf(tt.conn, own)
			if known != tt.wantKnown || got.APIBaseURL != tt.wantBase || got.AuthType != tt.wantAuth {
				t.Errorf("got %+v, known %v; want base %q, auth %q, known %v",
					got, known, tt.wantBase, tt.wantAuth, tt.wantKnown)
			}
			if name := serviceName(tt.conn, own); name != tt.wantName {
				t.Errorf("got name %q, want %q", name, tt.wantName)
			}
		})
	}
}

func TestSharedConnectionsSearchAndKeepTheOwnersService(t *testing.T) {
	own := map[string]shared.Service{"shop": {ID: "shop", Name: "Mine"}}
	conns := []shared.Connection{{ID: "1", Name: "Orders", ServiceID: "shop", SharedBy: "alice",
		Service: &shared.ServiceSummary{ID: "shop", Name: "Alice's shop"}}}

	for _, q := range []string{"alice's", "mine"} {
		got := filterConnections(conns, own, q)
		if want := q != "mine"; (len(got) == 1) != want {
			t.Errorf("search %q: got %d connections, want a match %v", q, len(got), want)
		}
	}
	if l := newCachedList(conns, own, conns[0].CreatedAt); len(l.Services) != 0 {
		t.Errorf("got kept services %+v, want none: the shared connection keeps its own", l.Services)
	}
}
