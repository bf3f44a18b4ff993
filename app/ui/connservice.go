package ui

import "github.com/plugboard/plugboard/shared"

// serviceOf is the service a connection is used with, and whether it is
// known. A connection shared with the signed-in user carries a summary
// of its owner's service, the one the proxy calls; the user's own
// services are never consulted for it, since one of theirs may have the
// same id and describe another API. Any other connection is the user's
// own, and so is its service.
func serviceOf(c shared.Connection, own map[string]shared.Service) (shared.Service, bool) {
	if c.SharedBy != "" {
		return ownersService(c), c.Service != nil
	}
	s, ok := own[c.ServiceID]
	return s, ok
}

// ownersService is the summary of its owner's service that a shared
// connection carries, as much of a service as it tells; only the id,
// as the name too, when the answer held none.
func ownersService(c shared.Connection) shared.Service {
	s := c.Service
	if s == nil {
		return shared.Service{ID: c.ServiceID, Name: c.ServiceID}
	}
	return shared.Service{
		ID: s.ID, Name: s.Name, AuthType: s.AuthType, APIBaseURL: s.APIBaseURL,
		Icon: s.Icon, DocsURL: s.DocsURL, BuiltIn: s.BuiltIn,
	}
}

// serviceName is the name of a connection's service, or its id.
func serviceName(c shared.Connection, own map[string]shared.Service) string {
	if s, ok := serviceOf(c, own); ok && s.Name != "" {
		return s.Name
	}
	return c.ServiceID
}
