package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

func TestFilterConnections(t *testing.T) {
	conns := []shared.Connection{
		{ID: "1", Name: "Work", LinkName: "github_work", ServiceID: "github", Status: shared.StatusConnected},
		{ID: "2", Name: "Desk", LinkName: "desk", ServiceID: "zendesk", Status: shared.StatusNeedsReauth},
	}
	svcs := map[string]shared.Service{"zendesk": {ID: "zendesk", Name: "Zendesk Support"}}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"1", "2"}},
		{"  WORK ", []string{"1"}},
		{"support", []string{"2"}},
		{"re-authorization", []string{"2"}},
		{"nothing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []string
			for _, c := range filterConnections(conns, svcs, tt.query) {
				got = append(got, c.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilterServices(t *testing.T) {
	svcs := []shared.Service{
		{ID: "github", Name: "GitHub", AuthType: shared.AuthOAuth2, Categories: []string{"Developer tools"}},
		{ID: "slack", Name: "Slack", AuthType: shared.AuthOAuth2, Categories: []string{"Communication"}},
		{ID: "acme", Name: "Acme", AuthType: shared.AuthAPIKey},
	}
	tests := []struct {
		name, query, category string
		want                  []string
	}{
		{"all", "", "", []string{"github", "slack", "acme"}},
		{"category", "", "Communication", []string{"slack"}},
		{"query", "git", "", []string{"github"}},
		{"auth type label", "api key", "", []string{"acme"}},
		{"both", "git", "Communication", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range filterServices(svcs, tt.query, tt.category) {
				got = append(got, s.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got := categories(svcs); !reflect.DeepEqual(got, []string{"Communication", "Developer tools"}) {
		t.Errorf("categories: got %v", got)
	}
}

func TestCachedList(t *testing.T) {
	conns := []shared.Connection{{ID: "1", ServiceID: "github"}}
	svcs := map[string]shared.Service{
		"github": {ID: "github", Name: "GitHub", Icon: "/i.svg", AuthType: shared.AuthOAuth2,
			OAuth2: shared.OAuth2{ClientID: "kept out"}},
		"slack": {ID: "slack", Name: "Slack"},
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

	l := newCachedList(conns, svcs, now)
	want := []serviceRef{{ID: "github", Name: "GitHub", Icon: "/i.svg", AuthType: shared.AuthOAuth2}}
	if !reflect.DeepEqual(l.Services, want) {
		t.Errorf("kept services: got %+v, want only the used one, without settings", l.Services)
	}
	if got := l.serviceMap()["github"]; got.Name != "GitHub" || got.ClientID != "" {
		t.Errorf("service map: got %+v", got)
	}
}

func TestLastUsedText(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	if got := lastUsedText(now, shared.Connection{}); got != "Never used" {
		t.Errorf("got %q", got)
	}
	c := shared.Connection{LastUsedAt: now.Add(-2 * time.Hour)}
	if got := lastUsedText(now, c); got != "Used 2 hours ago" {
		t.Errorf("got %q", got)
	}
}
