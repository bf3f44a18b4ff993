package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/httpapi"
	"github.com/plugboard/plugboard/backend/internal/hydratest"
	"github.com/plugboard/plugboard/shared"
)

// The browser tests drive the web app in Debian's Chromium against a real
// Plugboard, a real OAuth 2.0 provider (Ory Hydra) and a real HTTP service
// that takes Basic Auth, the way a person would: typing into labelled
// fields and clicking what is on screen. Screenshots of the key screens
// land in uiShotDir, and TestUIScreenshots checks that none is blank.

// uiShotDir is where the screenshots go, below the repository root.
const uiShotDir = "backend/internal/e2e/screenshots"

// uiShots names the screenshots the tests must leave behind.
var uiShots = []string{
	"connections-empty",
	"signin-bad-key",
	"add-connection-catalog",
	"custom-service-form",
	"connection-details",
	"summary-connected",
	"revoke-confirm",
	"summary-revoked",
	"connections-list",
	"connections-375",
	"summary-375",
	"connection-details-client",
	"basic-dialog-error",
	"summary-basic-connected",
}

// uiEnv is what one browser test runs against.
type uiEnv struct {
	pb      *uiServer
	browser *uiBrowser
	shots   string
}

// uiSetUp starts a Plugboard (reached at host, see uiStartServer) and a
// browser for the test.
func uiSetUp(t *testing.T, host string) *uiEnv {
	t.Helper()
	root := uiEnter(t)
	return &uiEnv{
		pb:      uiStartServer(t, host),
		browser: uiStartBrowser(t),
		shots:   filepath.Join(root, uiShotDir),
	}
}

// signIn opens a tab and signs in with the one-time link, which works
// only once per server.
func (e *uiEnv) signIn(t *testing.T) *uiTab {
	t.Helper()
	tab := e.browser.tab(t, e.shots)
	tab.open(e.pb.srv.URL() + "/signin#token=" + e.pb.srv.Boot.LoginToken)
	tab.waitPath("/")
	tab.waitText("#page-title", "Connections")
	return tab
}

// TestUISignIn signs in with the one-time link, finds the link spent the
// second time, and signs in with an API key after a wrong one was
// refused.
func TestUISignIn(t *testing.T) {
	e := uiSetUp(t, "")
	link := e.pb.srv.URL() + "/signin#token=" + e.pb.srv.Boot.LoginToken

	t.Run("one-time link", func(t *testing.T) {
		tab := e.signIn(t)
		tab.waitText("#main", "No connections yet")
		if loc := tab.location(); strings.Contains(loc, e.pb.srv.Boot.LoginToken) {
			t.Errorf("address after signing in: got %s, want the token gone", loc)
		}
		if tab.is(fmt.Sprintf(`document.cookie.includes(%s)`, uiJS(httpapi.SessionCookie+"="))) {
			t.Errorf("document.cookie shows a cookie; the session cookie must be HttpOnly")
		}
		tab.shot("connections-empty")
	})

	t.Run("link works once", func(t *testing.T) {
		tab := e.browser.tab(t, e.shots)
		tab.open(link)
		tab.waitText("#main", "This sign-in link was already used or has expired.")
		tab.waitPath("/signin")
	})

	t.Run("API key", func(t *testing.T) {
		tab := e.browser.tab(t, e.shots)
		tab.open(e.pb.srv.URL() + "/connections/new")
		tab.waitPath("/signin")

		tab.clickNamed("#main", "Sign in with an API key instead")
		tab.fill("api-key", "pb_this-key-was-never-issued")
		tab.clickNamed("#main form", "Sign in")
		tab.waitText("#main [role=status]", "This API key was not accepted.")
		tab.shot("signin-bad-key")

		tab.fill("api-key", e.pb.srv.Boot.APIKey)
		tab.clickNamed("#main form", "Sign in")
		tab.waitPath("/connections/new")
		tab.waitText("#main", "Pick Your Service")
	})
}

// TestUIOAuthHydra adds custom OAuth 2.0 services pointed at a local
// Hydra, connects through Hydra's login and consent, revokes, and
// authorizes again, all in the browser. Plugboard is reached at
// localhost and Hydra at 127.0.0.1, so the trips cross sites.
func TestUIOAuthHydra(t *testing.T) {
	e := uiSetUp(t, "localhost")
	hydra := hydratest.Start(t)
	callback := e.pb.srv.URL() + "/oauth/callback"
	client := hydra.CreateClient(t, hydratest.ClientSpec{
		RedirectURIs: []string{callback},
		Scopes:       []string{"openid", "offline_access", "profile"},
	})
	tab := e.signIn(t)

	var connID string
	t.Run("add by discovery and connect", func(t *testing.T) {
		tab.t = t
		uiOpenCustomService(tab)
		tab.fill("svc-name", "Hydra Local")
		if !tab.is(`document.getElementById("svc-auth-oauth2").checked`) {
			t.Errorf("authentication type: want OAuth 2.0 chosen at first")
		}
		tab.clickNamed(".service-form", "Discover them from the issuer URL (RFC 8414)")
		tab.fill("svc-issuer", hydra.Issuer())
		uiAddScope(tab, "openid", "Who you are", true)
		uiAddScope(tab, "offline_access", "Stay connected", true)
		uiAddScope(tab, "profile", "Your name", false)
		tab.fill("svc-client-id", client.ID)
		tab.fill("svc-client-secret", client.Secret)
		tab.shot("custom-service-form")

		tab.clickNamed(".service-form", "Save and continue")
		tab.waitText("#main [role=status]", "Hydra Local was added to your services.")
		tab.waitText(".connection-form h2", "Hydra Local")
		tab.fill("conn-name", "Hydra work")
		tab.waitValue("conn-link", "hydra_work")
		for _, s := range []struct {
			name    string
			checked bool
		}{{"openid", true}, {"offline_access", true}, {"profile", false}} {
			if got := tab.is(uiScopeChecked(s.name)); got != s.checked {
				t.Errorf("scope %s ticked: got %v, want %v", s.name, got, s.checked)
			}
		}
		tab.clickNamed(".connection-form", "profile")
		tab.shot("connection-details")

		tab.clickNamed(".connection-form", "Create and connect")
		connID = uiBackFromProvider(tab, e.pb.srv.URL())
		tab.waitText("#main [role=status]", "Connected. Hydra work is ready to use.")
		uiWantStatus(tab, "Connected")
		uiWantGranted(tab, "openid", "offline_access", "profile")
		uiWantFact(tab, "Verified", "Not checked")
		tab.waitText(".history", "Authorized")
		tab.shot("summary-connected")

		c := uiConnection(t, e.pb, connID)
		if c.Status != shared.StatusConnected || !uiSameSet(c.GrantedScopes, "openid", "offline_access", "profile") {
			t.Errorf("stored connection: got status %s, granted %v; want connected with the three scopes",
				c.Status, c.GrantedScopes)
		}
	})
	if connID == "" {
		t.FailNow()
	}

	t.Run("revoke", func(t *testing.T) {
		tab.t = t
		tab.clickNamed(".action-bar", "Revoke")
		tab.waitJS("the confirmation dialog", `!!document.querySelector("#confirm-dialog[open]")`)
		if !tab.is(`document.getElementById("confirm-dialog").contains(document.activeElement)`) {
			t.Errorf("focus: want it inside the open dialog")
		}
		tab.shotWindow("revoke-confirm")

		tab.clickNamed("#confirm-dialog", "Revoke")
		tab.waitText("#main [role=status]", "Revoked. The connection can be authorized again")
		uiWantStatus(tab, "Revoked")
		tab.waitText(".history", "Revoked")
		tab.shot("summary-revoked")
		if c := uiConnection(t, e.pb, connID); c.Status != shared.StatusRevoked {
			t.Errorf("stored status after revoke: got %s, want revoked", c.Status)
		}
	})

	t.Run("still listed", func(t *testing.T) {
		tab.t = t
		tab.clickNamed(".topbar nav", "Connections")
		tab.waitPath("/")
		tab.waitText(".rows", "Hydra work")
		row := `[...document.querySelectorAll(".rows .row")].find(r => r.innerText.includes("Hydra work"))`
		if got := tab.text(".rows .row .row-status"); got != "Revoked" {
			t.Errorf("status in the list: got %q, want Revoked", got)
		}
		tab.hover("the row", row)
		tab.waitJS("the row's actions to show",
			`getComputedStyle(document.querySelector(".rows .row .actions")).opacity === "1"`)
		tab.shot("connections-list")

		tab.viewport(uiPhoneWidth, 812)
		tab.waitJS("the phone layout", fmt.Sprintf(`innerWidth === %d`, uiPhoneWidth))
		if n := tab.overflow(); n > 0 {
			t.Errorf("list at %d px: the page is %d px wider than the window", uiPhoneWidth, n)
		}
		tab.shot("connections-375")
	})

	t.Run("re-authorize", func(t *testing.T) {
		tab.t = t
		tab.clickNamed(".rows", "Re-authorize Hydra work")
		if got := uiBackFromProvider(tab, e.pb.srv.URL()); got != connID {
			t.Errorf("back from the provider at connection %s, want %s", got, connID)
		}
		tab.waitText("#main [role=status]", "Connected. Hydra work is ready to use.")
		uiWantStatus(tab, "Connected")
		uiWantGranted(tab, "openid", "offline_access", "profile")
		if n := tab.overflow(); n > 0 {
			t.Errorf("summary at %d px: the page is %d px wider than the window", uiPhoneWidth, n)
		}
		tab.shot("summary-375")
		tab.viewport(uiWidth, uiHeight)

		if c := uiConnection(t, e.pb, connID); c.Status != shared.StatusConnected {
			t.Errorf("stored status after re-authorizing: got %s, want connected", c.Status)
		}
	})

	t.Run("add by URLs, client at connect", func(t *testing.T) {
		tab.t = t
		tab.clickNamed(".topbar nav", "Add connection")
		uiOpenCustomService(tab)
		tab.fill("svc-name", "Hydra URLs")
		tab.fill("svc-auth-url", hydra.AuthURL())
		tab.fill("svc-token-url", hydra.TokenURL())
		tab.fill("svc-revoke-url", hydra.RevocationURL())
		uiAddScope(tab, "offline_access", "", true)
		tab.clickNamed(".service-form", "Save and continue")

		tab.waitText(".connection-form h2", "Hydra URLs")
		tab.fill("conn-name", "Hydra by URLs")
		tab.waitJS("the callback URL", fmt.Sprintf(
			`document.getElementById("callback-url")?.value === %s`, uiJS(callback)))
		tab.fill("conn-client-id", client.ID)
		tab.fill("conn-client-secret", client.Secret)
		tab.shot("connection-details-client")

		tab.clickNamed(".connection-form", "Create and connect")
		id := uiBackFromProvider(tab, e.pb.srv.URL())
		tab.waitText("#main [role=status]", "Connected. Hydra by URLs is ready to use.")
		uiWantStatus(tab, "Connected")
		uiWantGranted(tab, "offline_access")
		if c := uiConnection(t, e.pb, id); c.Status != shared.StatusConnected {
			t.Errorf("stored status: got %s, want connected", c.Status)
		}
	})
}

// TestUIBasicAuth connects to a service that takes Basic Auth: a wrong
// password shows the service's refusal in the dialog, the right one
// connects.
func TestUIBasicAuth(t *testing.T) {
	e := uiSetUp(t, "")
	var hits atomic.Int32
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		user, pass, ok := r.BasicAuth()
		if r.URL.Path != "/me" || !ok || user != "ada" || pass != "correct horse" {
			w.Header().Set("WWW-Authenticate", `Basic realm="ledger"`)
			http.Error(w, `{"error":"bad credentials"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"login":"ada"}`)
	}))
	t.Cleanup(svc.Close)
	tab := e.signIn(t)

	uiOpenCustomService(tab)
	tab.fill("svc-name", "Ledger")
	tab.clickNamed(".service-form", "Basic Auth")
	tab.fill("svc-api-base", svc.URL)
	tab.fill("svc-verify-target", "/me")
	tab.clickNamed(".service-form", "Save and continue")

	tab.waitText(".connection-form h2", "Ledger")
	tab.fill("conn-name", "Ledger books")
	tab.clickNamed(".connection-form", "Create and connect")
	tab.waitJS("the credentials dialog", `!!document.querySelector("#authorize-dialog[open]")`)
	if !tab.is(`document.getElementById("auth-password").type === "password"`) {
		t.Errorf("password input: want it masked (type=password)")
	}
	if got := tab.text(`label[for="auth-username"]`); got != "Username" {
		t.Errorf("username label: got %q, want Username", got)
	}

	tab.fill("auth-username", "ada")
	tab.fill("auth-password", "wrong horse")
	tab.clickNamed("#authorize-dialog", "Connect")
	tab.waitText("#authorize-dialog [role=alert]",
		"Ledger rejected these credentials (HTTP 401). Check the Username and Password and try again.")
	tab.shotWindow("basic-dialog-error")
	if got := hits.Load(); got != 1 {
		t.Errorf("requests to the service after the wrong password: got %d, want 1", got)
	}

	tab.fill("auth-password", "correct horse")
	tab.clickNamed("#authorize-dialog", "Connect")
	tab.waitJS("the summary", `/^\/connections\/[^/]+$/.test(location.pathname) && `+
		`location.pathname !== "/connections/new"`)
	tab.waitText("#main [role=status]", "Connected. Ledger books is ready to use.")
	uiWantStatus(tab, "Connected")
	uiWantFact(tab, "Settings", "Username: ada")
	uiWantFact(tab, "Verified", "Yes, ")
	tab.shot("summary-basic-connected")

	c := uiConnection(t, e.pb, uiConnectionID(tab))
	if c.Status != shared.StatusConnected || !c.Verified {
		t.Errorf("stored connection: got status %s, verified %v; want connected, verified", c.Status, c.Verified)
	}
}

// TestUIScreenshots checks that every key screen was saved and shows
// something: enough colors, and enough pixels that are not background.
func TestUIScreenshots(t *testing.T) {
	t.Run("the check finds blank images", uiTestBlankCheck)

	root := moduleRoot(t)
	for _, name := range uiShots {
		path := filepath.Join(root, uiShotDir, name+".png")
		buf, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("screenshot %s: %v (the UI tests save it; run them first)", name, err)
			continue
		}
		if why := uiBlank(buf); why != "" {
			t.Errorf("screenshot %s looks blank: %s", name, why)
		}
	}
}

// uiOpenCustomService goes to Add connection, checks the catalog shows,
// and opens the Custom Service tab.
func uiOpenCustomService(tab *uiTab) {
	tab.t.Helper()
	if !strings.HasSuffix(tab.location(), "/connections/new") {
		tab.clickNamed(".topbar nav", "Add connection")
	}
	tab.waitPath("/connections/new")
	tab.waitJS("the catalog", `document.querySelectorAll(".grid .service-card").length > 0`)
	tab.shot("add-connection-catalog")
	tab.click("the Custom Service tab", uiCSS("#tab-custom"))
	tab.waitJS("the service form", `!!document.getElementById("svc-name")`)
}

// uiAddScope adds a scope row to the service form and fills it.
func uiAddScope(tab *uiTab, name, description string, byDefault bool) {
	tab.t.Helper()
	before := tab.lastID(`.service-form input[id^="scope-"][id$="-name"]`)
	tab.clickNamed(".service-form", "Add scope")
	tab.waitJS("a new scope row", fmt.Sprintf(`(() => {
		const all = document.querySelectorAll('.service-form input[id^="scope-"][id$="-name"]');
		return all.length > 0 && all[all.length - 1].id !== %s;
	})()`, uiJS(before)))
	id := tab.lastID(`.service-form input[id^="scope-"][id$="-name"]`)
	key := strings.TrimSuffix(id, "-name")
	tab.fill(id, name)
	if description != "" {
		tab.fill(key+"-description", description)
	}
	if byDefault {
		tab.click("Ask by default for "+name, uiCSS(`label[for="`+key+`-default"]`))
		tab.waitJS(name+" ticked", fmt.Sprintf(`document.getElementById(%s).checked`, uiJS(key+"-default")))
	}
}

// uiScopeChecked is a JavaScript expression: whether the connection
// form's checkbox for scope is ticked.
func uiScopeChecked(scope string) string {
	return fmt.Sprintf(`(() => {
		const label = [...document.querySelectorAll(".connection-form label")]
			.find(l => l.textContent.trim() === %s);
		return !!label && label.control.checked;
	})()`, uiJS(scope))
}

// uiBackFromProvider waits for the browser to come back from the
// provider to a connection's summary at Plugboard (base), and returns
// the connection's id.
func uiBackFromProvider(tab *uiTab, base string) string {
	tab.t.Helper()
	tab.waitJS("the way back from the provider", fmt.Sprintf(
		`location.origin === %s && /^\/connections\/[^/]+$/.test(location.pathname) && `+
			`location.pathname !== "/connections/new"`, uiJS(base)))
	tab.waitApp()
	return uiConnectionID(tab)
}

// uiConnectionID is the id of the connection whose summary the tab shows.
func uiConnectionID(tab *uiTab) string {
	tab.t.Helper()
	loc := tab.location()
	i := strings.Index(loc, "/connections/")
	if i < 0 {
		tab.fail("not on a connection's page")
	}
	id, _, _ := strings.Cut(loc[i+len("/connections/"):], "?")
	return id
}

// uiWantStatus waits for the summary's status to be status.
func uiWantStatus(tab *uiTab, status string) {
	tab.t.Helper()
	tab.waitJS("status "+status, fmt.Sprintf(
		`document.querySelector(".action-bar .badge")?.innerText.trim() === %s`, uiJS(status)))
}

// uiWantFact waits for the summary's fact term to show text at its
// start.
func uiWantFact(tab *uiTab, term, text string) {
	tab.t.Helper()
	tab.waitJS(fmt.Sprintf("%s: %s", term, text), fmt.Sprintf(`(() => {
		const dt = [...document.querySelectorAll(".facts dt")].find(d => d.textContent.trim() === %s);
		return !!dt && dt.nextElementSibling.innerText.trim().startsWith(%s);
	})()`, uiJS(term), uiJS(text)))
}

// uiWantGranted waits for the summary to list exactly these granted
// scopes.
func uiWantGranted(tab *uiTab, scopes ...string) {
	tab.t.Helper()
	want := append([]string(nil), scopes...)
	slices.Sort(want)
	tab.waitJS("granted scopes "+strings.Join(want, " "), fmt.Sprintf(`(() => {
		const dt = [...document.querySelectorAll(".facts dt")]
			.find(d => d.textContent.trim() === "Scopes granted");
		if (!dt) return false;
		const got = [...dt.nextElementSibling.querySelectorAll("code")].map(c => c.textContent).sort();
		return JSON.stringify(got) === %s;
	})()`, uiJS(uiJSONList(want))))
}

func uiJSONList(s []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(uiJS(v))
	}
	b.WriteByte(']')
	return b.String()
}

// uiConnection reads a connection through the API, to check what the
// browser did against what the server stored.
func uiConnection(t *testing.T, pb *uiServer, id string) *shared.Connection {
	t.Helper()
	c, err := pb.api.GetConnection(t.Context(), id)
	if err != nil {
		t.Fatalf("get connection %s: %v", id, err)
	}
	return c
}

// uiSameSet reports whether got holds exactly want, in any order.
func uiSameSet(got []string, want ...string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// uiTestBlankCheck makes sure uiBlank can fail: a plain page, one with a
// stray line, and a non-PNG are blank; a page with text-like noise is not.
func uiTestBlankCheck(t *testing.T) {
	encode := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	page := func(draw func(img *image.RGBA)) []byte {
		img := image.NewRGBA(image.Rect(0, 0, 400, 300))
		for i := range img.Pix {
			img.Pix[i] = 0xf6
		}
		draw(img)
		return encode(img)
	}
	tests := []struct {
		name  string
		img   []byte
		blank bool
	}{
		{"plain background", page(func(*image.RGBA) {}), true},
		{"one gray line", page(func(img *image.RGBA) {
			for x := range 400 {
				img.Set(x, 150, color.Gray{Y: 0x80})
			}
		}), true},
		{"not a PNG", []byte("GIF89a"), true},
		{"content", page(func(img *image.RGBA) {
			for y := 20; y < 280; y += 3 {
				for x := 20; x < 380; x++ {
					img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: uint8(x + y), A: 0xff})
				}
			}
		}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := uiBlank(tt.img)
			if got := why != ""; got != tt.blank {
				t.Errorf("blank: got %v (%s), want %v", got, why, tt.blank)
			}
		})
	}
}
