package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// listCacheKey is where the last loaded connection list is kept in the
// browser's local storage.
const listCacheKey = "plugboard.connections.v1"

// cachedList is the last connection list the app loaded, kept so that
// it can be shown, read-only, when the server cannot be reached.
type cachedList struct {
	Connections []shared.Connection `json:"connections"`
	Services    []serviceRef        `json:"services"`
	SavedAt     time.Time           `json:"saved_at"`
}

// serviceRef is what the list shows of a service.
type serviceRef struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Icon     string          `json:"icon,omitempty"`
	AuthType shared.AuthType `json:"auth_type"`
}

// newCachedList keeps conns and the user's services they use. A
// connection shared with the user keeps its owner's service with it.
func newCachedList(conns []shared.Connection, svcs map[string]shared.Service, now time.Time) cachedList {
	l := cachedList{Connections: conns, SavedAt: now}
	used := map[string]bool{}
	for _, c := range conns {
		if c.SharedBy == "" {
			used[c.ServiceID] = true
		}
	}
	for id, s := range svcs {
		if used[id] {
			l.Services = append(l.Services, serviceRef{
				ID: s.ID, Name: s.Name, Icon: s.Icon, AuthType: s.AuthType,
			})
		}
	}
	return l
}

// serviceMap returns the kept services by id, as much of each as was kept.
func (l cachedList) serviceMap() map[string]shared.Service {
	m := make(map[string]shared.Service, len(l.Services))
	for _, r := range l.Services {
		m[r.ID] = shared.Service{ID: r.ID, Name: r.Name, Icon: r.Icon, AuthType: r.AuthType}
	}
	return m
}

// saveList keeps l in local storage. Failing to keep it only costs the
// offline view, so the error is not shown.
func saveList(ctx app.Context, l cachedList) {
	if err := ctx.LocalStorage().Set(listCacheKey, l); err != nil {
		app.Log("keeping the connection list for offline use failed:", err)
	}
}

// loadList returns the kept list, if there is one.
func loadList(ctx app.Context) (cachedList, bool) {
	var l cachedList
	if err := ctx.LocalStorage().Get(listCacheKey, &l); err != nil || l.SavedAt.IsZero() {
		return cachedList{}, false
	}
	return l, true
}

// forgetList removes the kept list, so that the next person to sign in
// on this browser never sees the last one's connections, even offline.
func forgetList(ctx app.Context) {
	ctx.LocalStorage().Del(listCacheKey)
}
