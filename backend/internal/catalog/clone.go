package catalog

import (
	"maps"
	"slices"

	"github.com/plugboard/plugboard/shared"
)

// clone returns a copy of s that shares no slice, map or pointer with it,
// so a caller cannot change the catalog through what it was given.
func clone(s shared.Service) shared.Service {
	s.Categories = slices.Clone(s.Categories)
	s.Sources = slices.Clone(s.Sources)
	s.Params = slices.Clone(s.Params)
	for i := range s.Params {
		s.Params[i].Options = slices.Clone(s.Params[i].Options)
	}
	s.Scopes = slices.Clone(s.Scopes)
	s.DefaultScopes = slices.Clone(s.DefaultScopes)
	s.AuthParams = maps.Clone(s.AuthParams)
	s.TokenParams = maps.Clone(s.TokenParams)
	s.Headers = maps.Clone(s.Headers)
	if s.PKCE != nil {
		v := *s.PKCE
		s.PKCE = &v
	}
	if s.TokenResponse != nil {
		t := *s.TokenResponse
		t.Metadata = slices.Clone(t.Metadata)
		s.TokenResponse = &t
	}
	if s.Verify != nil {
		v := *s.Verify
		v.ExpectedStatus = slices.Clone(v.ExpectedStatus)
		s.Verify = &v
	}
	return s
}
