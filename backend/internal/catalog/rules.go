package catalog

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/plugboard/plugboard/shared"
)

// Vocabulary lists the categories an entry may use.
var Vocabulary = []string{
	"Productivity", "Developer tools", "Communication", "CRM & sales",
	"Marketing", "Storage", "Finance", "Video & social", "Support",
	"E-commerce", "AI",
}

// iconRE is the form of an entry's icon: an SVG that Plugboard serves
// from web/icons/services/.
var iconRE = regexp.MustCompile(`^/web/icons/services/[a-z0-9][a-z0-9_-]*\.svg$`)

// checkEntry applies the rules a catalog entry must meet on top of
// shared.Service.Validate: it is documented, categorized, sourced and
// drawn, every address is https, and an OAuth 2.0 entry says which scopes
// it asks for. file is the entry's file name. Call Normalize first.
func checkEntry(s *shared.Service, file string) shared.FieldErrors {
	var fe shared.FieldErrors
	if file != s.ID+".json" {
		fe.Add("id", "must match the file name: %q is in %s", s.ID, file)
	}
	if strings.TrimSpace(s.Description) == "" {
		fe.Add("description", "is required")
	}
	checkCategories(&fe, s.Categories)
	if !iconRE.MatchString(s.Icon) {
		fe.Add("icon", "must be /web/icons/services/<name>.svg")
	}
	checkAddresses(&fe, s)
	if s.AuthType == shared.AuthOAuth2 && !s.NoScopes {
		if len(s.Scopes) == 0 {
			fe.Add("scopes", "an OAuth 2.0 entry lists at least one scope, or says no_scopes")
		}
		if len(s.DefaultScopes) == 0 {
			fe.Add("default_scopes", "an OAuth 2.0 entry asks for at least one scope by default")
		}
	}
	// Client credentials and timestamps belong to one installation and are
	// set through the API, never shipped in an entry.
	if s.ClientID != "" || s.ClientSecret != "" || s.ClientSecretSet {
		fe.Add("client_id", "client credentials are configured through the API, not in the catalog")
	}
	if !s.CreatedAt.IsZero() || !s.UpdatedAt.IsZero() {
		fe.Add("created_at", "timestamps are set by the server, not in the catalog")
	}
	return fe
}

func checkCategories(fe *shared.FieldErrors, cats []string) {
	if len(cats) == 0 {
		fe.Add("categories", "at least one is required")
	}
	for i, c := range cats {
		f := fmt.Sprintf("categories[%d]", i)
		switch {
		case !slices.Contains(Vocabulary, c):
			fe.Add(f, "%q is not one of %s", c, strings.Join(Vocabulary, ", "))
		case slices.Index(cats, c) != i:
			fe.Add(f, "%q is listed twice", c)
		}
	}
}

// checkAddresses requires the documentation, the API and the sources, and
// checks that every address of the entry uses https.
func checkAddresses(fe *shared.FieldErrors, s *shared.Service) {
	if s.DocsURL == "" {
		fe.Add("docs_url", "is required")
	}
	if s.APIBaseURL == "" {
		fe.Add("api_base_url", "is required")
	}
	if len(s.Sources) == 0 {
		fe.Add("sources", "list at least one address where the entry's facts were checked")
	}
	meta := tokenMetadata(s)
	urls := map[string]string{
		"docs_url":          s.DocsURL,
		"api_base_url":      s.APIBaseURL,
		"authorization_url": s.AuthorizationURL,
		"token_url":         s.TokenURL,
		"revocation_url":    s.RevocationURL,
		"issuer":            s.Issuer,
	}
	if s.Verify != nil {
		urls["verify_request.url"] = s.Verify.URL
	}
	// Validate already reports addresses that are not URLs at all; only
	// the scheme is left to check here.
	for _, field := range slices.Sorted(maps.Keys(urls)) {
		if v := urls[field]; v != "" && !isHTTPS(v, meta) && !malformed(v) {
			fe.Add(field, "must be an absolute https URL")
		}
	}
	for i, src := range s.Sources {
		if !isHTTPS(src, nil) || strings.Contains(src, "{") {
			fe.Add(fmt.Sprintf("sources[%d]", i), "must be an absolute https URL")
		}
	}
}

// isHTTPS reports whether the URL template v uses https. A template may
// instead start with a placeholder filled from the provider's own token
// response (such as Salesforce's instance_url): that origin is the
// provider's to choose.
func isHTTPS(v string, meta map[string]bool) bool {
	if name, ok := leadingPlaceholder(v); ok {
		return meta[name]
	}
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(v))
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// malformed reports whether v is neither a URL nor starts with a
// placeholder standing for an origin.
func malformed(v string) bool {
	if _, ok := leadingPlaceholder(v); ok {
		return false
	}
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(v))
	return err != nil || u.Scheme == "" || u.Host == ""
}

func leadingPlaceholder(v string) (string, bool) {
	if !strings.HasPrefix(v, "{") {
		return "", false
	}
	end := strings.IndexByte(v, '}')
	if end < 0 {
		return "", false
	}
	return v[1:end], true
}

func tokenMetadata(s *shared.Service) map[string]bool {
	meta := map[string]bool{}
	if s.AuthType == shared.AuthOAuth2 && s.TokenResponse != nil {
		for _, m := range s.TokenResponse.Metadata {
			meta[m] = true
		}
	}
	return meta
}
