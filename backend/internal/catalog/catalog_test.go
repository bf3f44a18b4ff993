package catalog

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// iconDir is the repository's icon folder, seen from this package.
var iconDir = filepath.Join("..", "..", "..", "web", "icons", "services")

func loadBuiltin(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load("")
	if err != nil {
		t.Fatalf("Load(\"\"): %v", err)
	}
	return c
}

func TestBuiltinSize(t *testing.T) {
	c := loadBuiltin(t)
	if c.Len() < 60 {
		t.Errorf("got %d built-in services, want at least 60", c.Len())
	}
}

// TestBuiltinEntries checks every built-in entry on its own, so a failure
// names the entry.
func TestBuiltinEntries(t *testing.T) {
	c := loadBuiltin(t)
	for _, s := range c.All() {
		t.Run(s.ID, func(t *testing.T) {
			checkCommon(t, s)
			checkPlaceholders(t, s)
			switch s.AuthType {
			case shared.AuthOAuth2:
				checkOAuth2(t, s)
			case shared.AuthBasic, shared.AuthAPIKey:
				checkCredentials(t, s)
			default:
				t.Errorf("got auth_type %q, want oauth2, basic or api_key", s.AuthType)
			}
			checkIcon(t, s)
		})
	}
}

func checkCommon(t *testing.T, s shared.Service) {
	t.Helper()
	required := map[string]string{
		"name": s.Name, "description": s.Description, "docs_url": s.DocsURL,
		"icon": s.Icon, "api_base_url": s.APIBaseURL,
	}
	for field, v := range required {
		if strings.TrimSpace(v) == "" {
			t.Errorf("%s: got empty, want a value", field)
		}
	}
	if !s.BuiltIn {
		t.Errorf("builtin: got false, want true")
	}
	if len(s.Categories) == 0 {
		t.Errorf("categories: got none, want at least one")
	}
	for _, cat := range s.Categories {
		if !slices.Contains(Vocabulary, cat) {
			t.Errorf("categories: got %q, want one of %v", cat, Vocabulary)
		}
	}
	if len(s.Sources) == 0 {
		t.Errorf("sources: got none, want the addresses where the facts were checked")
	}
	for field, u := range addresses(s) {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "{") {
			t.Errorf("%s: got %q, want an https URL", field, u)
		}
	}
}

// addresses returns every URL template of s by field.
func addresses(s shared.Service) map[string]string {
	all := map[string]string{
		"docs_url": s.DocsURL, "api_base_url": s.APIBaseURL,
		"authorization_url": s.AuthorizationURL, "token_url": s.TokenURL,
		"revocation_url": s.RevocationURL, "issuer": s.Issuer,
		"verify_request": s.VerifyURL(),
	}
	for i, src := range s.Sources {
		all[fmt.Sprintf("sources[%d]", i)] = src
	}
	for k, v := range all {
		if v == "" {
			delete(all, k)
		}
	}
	return all
}

// checkPlaceholders checks that every {name} in every address can be
// filled: from a placeholder parameter, or from token response metadata.
func checkPlaceholders(t *testing.T, s shared.Service) {
	t.Helper()
	known := map[string]bool{}
	for _, p := range s.Params {
		if p.In == shared.InPlaceholder {
			known[p.Name] = true
		}
	}
	if s.TokenResponse != nil {
		for _, m := range s.TokenResponse.Metadata {
			known[m] = true
		}
	}
	for field, u := range addresses(s) {
		names, err := shared.Placeholders(u)
		if err != nil {
			t.Errorf("%s: %v", field, err)
			continue
		}
		for _, n := range names {
			if !known[n] {
				t.Errorf("%s: got placeholder {%s}, want a declared placeholder parameter or token metadata", field, n)
			}
		}
	}
}

func checkOAuth2(t *testing.T, s shared.Service) {
	t.Helper()
	if s.AuthorizationURL == "" || s.TokenURL == "" {
		t.Errorf("got authorization_url %q and token_url %q, want both", s.AuthorizationURL, s.TokenURL)
	}
	checkOAuth2Scopes(t, s)
	for _, d := range s.DefaultScopes {
		if !s.HasScope(d) {
			t.Errorf("default_scopes: got %q, want one of the entry's scopes", d)
		}
	}
	if s.ScopeSeparator != " " && s.ScopeSeparator != "," {
		t.Errorf("scope_separator: got %q, want \" \" or \",\"", s.ScopeSeparator)
	}
	if s.TokenAuthStyle != shared.TokenAuthHeader && s.TokenAuthStyle != shared.TokenAuthBody {
		t.Errorf("token_auth_style: got %q, want header or body", s.TokenAuthStyle)
	}
}

// checkOAuth2Scopes checks the scopes an OAuth 2.0 entry offers. A
// provider that takes no scopes in the authorization request (permissions
// are set where the app is registered) says no_scopes and lists none.
func checkOAuth2Scopes(t *testing.T, s shared.Service) {
	t.Helper()
	if s.NoScopes {
		if len(s.Scopes) > 0 || len(s.DefaultScopes) > 0 {
			t.Errorf("scopes: got %d and %d default, want none with no_scopes", len(s.Scopes), len(s.DefaultScopes))
		}
		if s.ScopeParam != "" {
			t.Errorf("scope_param: got %q, want none with no_scopes", s.ScopeParam)
		}
		return
	}
	if n := len(s.Scopes); n < 3 || n > 15 {
		t.Errorf("scopes: got %d, want 3 to 15 of the commonly needed ones", n)
	}
	for _, sc := range s.Scopes {
		if strings.TrimSpace(sc.Description) == "" {
			t.Errorf("scopes: %q has no description", sc.Name)
		}
	}
	if len(s.DefaultScopes) == 0 {
		t.Errorf("default_scopes: got none, want at least one")
	}
}

// checkCredentials checks a Basic Auth or API key entry: it asks for a
// secret and can tell whether the secret works.
func checkCredentials(t *testing.T, s shared.Service) {
	t.Helper()
	secret := slices.ContainsFunc(s.Params, func(p shared.Param) bool {
		return p.Secret && p.In != shared.InPlaceholder
	})
	if !secret {
		t.Errorf("params: got no secret credential, want the key, token or password marked secret")
	}
	if s.Verify == nil {
		t.Errorf("verify_request: got none, want a cheap request that checks the credentials")
	}
}

// checkIcon checks that the entry's icon exists and is a small original
// SVG: the catalog template's shape, its title the service's name, and
// nothing that loads or runs anything.
func checkIcon(t *testing.T, s shared.Service) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(iconDir, filepath.Base(s.Icon)))
	if err != nil {
		t.Errorf("icon: %v", err)
		return
	}
	got, err := inspectSVG(data)
	if err != nil {
		t.Errorf("icon %s: %v", s.Icon, err)
		return
	}
	if got.viewBox != "0 0 64 64" {
		t.Errorf("icon %s: got viewBox %q, want \"0 0 64 64\"", s.Icon, got.viewBox)
	}
	if got.title != s.Name {
		t.Errorf("icon %s: got title %q, want %q", s.Icon, got.title, s.Name)
	}
}

// svgFacts is what checkIcon needs to know about an icon.
type svgFacts struct {
	viewBox string
	title   string
}

// svgElements are the elements an icon may use.
var svgElements = []string{"svg", "title", "rect", "circle", "path", "text", "tspan", "g"}

func inspectSVG(data []byte) (svgFacts, error) {
	var facts svgFacts
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	depth := 0
	inTitle := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return facts, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if err := checkSVGElement(tok, depth); err != nil {
				return facts, err
			}
			if depth == 0 {
				facts.viewBox = attr(tok, "viewBox")
			}
			inTitle = tok.Name.Local == "title"
			depth++
		case xml.EndElement:
			inTitle = false
			depth--
		case xml.CharData:
			if inTitle {
				facts.title += string(tok)
			}
		}
	}
	return facts, nil
}

func checkSVGElement(el xml.StartElement, depth int) error {
	if depth == 0 && el.Name.Local != "svg" {
		return errors.New("the root element is not svg")
	}
	if !slices.Contains(svgElements, el.Name.Local) {
		return errors.New("uses element " + el.Name.Local)
	}
	for _, a := range el.Attr {
		if a.Name.Local == "xmlns" && a.Name.Space == "" {
			continue // the SVG namespace name, not an address to load
		}
		v := strings.ToLower(a.Value)
		switch {
		case strings.Contains(strings.ToLower(a.Name.Local), "href"),
			strings.HasPrefix(strings.ToLower(a.Name.Local), "on"),
			strings.Contains(v, "url("), strings.Contains(v, "://"):
			return errors.New("attribute " + a.Name.Local + " refers to something outside the file")
		}
	}
	return nil
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestBuiltinUnique(t *testing.T) {
	c := loadBuiltin(t)
	ids := map[string]bool{}
	names := map[string]string{}
	for _, s := range c.All() {
		if ids[s.ID] {
			t.Errorf("id %q: got it twice, want each id once", s.ID)
		}
		ids[s.ID] = true
		key := strings.ToLower(s.Name)
		if other, ok := names[key]; ok {
			t.Errorf("name %q: got it on %s and %s, want each name once", s.Name, other, s.ID)
		}
		names[key] = s.ID
	}
}

func TestAllSorted(t *testing.T) {
	all := loadBuiltin(t).All()
	sorted := slices.IsSortedFunc(all, func(a, b shared.Service) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	if !sorted {
		t.Errorf("got All() out of name order, want it sorted by name")
	}
}

func TestGet(t *testing.T) {
	c := loadBuiltin(t)
	tests := []struct {
		name   string
		id     string
		wantOK bool
	}{
		{name: "built-in service", id: "github", wantOK: true},
		{name: "unknown id", id: "no-such-service", wantOK: false},
		{name: "empty id", id: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := c.Get(tt.id)
			if ok != tt.wantOK {
				t.Fatalf("Get(%q): got ok %v, want %v", tt.id, ok, tt.wantOK)
			}
			if ok && s.ID != tt.id {
				t.Errorf("Get(%q): got id %q, want %q", tt.id, s.ID, tt.id)
			}
		})
	}
}

func TestCategories(t *testing.T) {
	c := loadBuiltin(t)
	got := c.Categories()
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("got %v, want sorted and each once", got)
	}
	used := map[string]bool{}
	for _, s := range c.All() {
		for _, cat := range s.Categories {
			used[cat] = true
		}
	}
	if len(got) != len(used) {
		t.Errorf("got %d categories, want the %d the services use", len(got), len(used))
	}
	got[0] = "changed"
	if c.Categories()[0] == "changed" {
		t.Errorf("got the catalog's own slice from Categories, want a copy")
	}
}
