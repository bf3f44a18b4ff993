package e2e

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// The service of the connection TestUIPeople shares: the admin's and,
// with the same id, the member's own, which describes another API.
const (
	uiWikiID         = "wiki"
	uiTeamWikiBase   = "https://{team}.wiki.example/api"
	uiMemberWikiName = "Bob's notes"
	uiMemberWikiBase = "https://notes.bob.example"
)

// uiWikiService is a custom API key service with the id uiWikiID.
func uiWikiService(name, base string) shared.Service {
	return shared.Service{
		ID: uiWikiID, Name: name, AuthType: shared.AuthAPIKey, APIBaseURL: base,
		Params: []shared.Param{
			{Name: "team", DisplayName: "Team", In: shared.InPlaceholder},
			{Name: "X-Api-Key", DisplayName: "API key", In: shared.InHeader, Secret: true, Required: true},
		},
	}
}

// uiMemberService signs in through the API as a member and adds their
// own service with the id of the admin's.
func uiMemberService(t *testing.T, url, username, password string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatalf("cookie jar: %v", err)
	}
	c := api.New(url, api.WithHTTPClient(&http.Client{Jar: jar}))
	if _, err := c.SignIn(t.Context(), api.SignInRequest{Username: username, Password: password}); err != nil {
		t.Fatalf("sign in as %s: %v", username, err)
	}
	if _, err := c.CreateService(t.Context(), uiWikiService(uiMemberWikiName, uiMemberWikiBase)); err != nil {
		t.Fatalf("add %s's own service: %v", username, err)
	}
}

// uiWantNoText fails the test when the element at scope shows text.
func uiWantNoText(tab *uiTab, scope, text string) {
	tab.t.Helper()
	if got := tab.text(scope); strings.Contains(got, text) {
		tab.t.Errorf("%s shows %q, want it nowhere: %q", scope, text, got)
	}
}

// uiChoose picks the first option whose text starts with label in the
// select with the given id, as choosing it from the list does: the value
// changes and the select fires "change".
func uiChoose(tab *uiTab, id, label string) {
	tab.t.Helper()
	tab.reach("#"+id, uiCSS("#"+id))
	tab.waitJS(fmt.Sprintf("an option %q in #%s", label, id), fmt.Sprintf(`(() => {
		const el = document.getElementById(%s);
		const o = el && [...el.options].find(o => o.text.startsWith(%s));
		if (!o) return false;
		el.focus();
		el.value = o.value;
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, uiJS(id), uiJS(label)))
}

// uiSignInWithPassword fills the sign-in form and submits it.
func uiSignInWithPassword(tab *uiTab, username, password string) {
	tab.t.Helper()
	tab.waitJS("the password form", `!!document.getElementById("username")`)
	tab.fill("username", username)
	tab.fill("password", password)
	tab.clickNamed("#main form", "Sign in")
}

// uiWantSignedInAs waits until the top bar names the signed-in user.
func uiWantSignedInAs(tab *uiTab, name, role string) {
	tab.t.Helper()
	tab.waitText(".topbar .owner", name)
	tab.waitText(".topbar .owner", role)
}

// uiHasLink reports whether the main navigation links to name.
func uiHasLink(tab *uiTab, name string) bool {
	tab.t.Helper()
	return tab.is(uiNamed(".topbar nav", name) + " !== null")
}

// uiTableRow is a JavaScript expression for the first row of the table
// in #main whose text holds text, or null.
func uiTableRow(text string) string {
	return fmt.Sprintf(`([...document.querySelectorAll("#main table.data tbody tr")]`+
		`.find(r => r.innerText.includes(%s)) ?? null)`, uiJS(text))
}

// uiWantRow waits for a row of the table in #main that holds text.
func uiWantRow(tab *uiTab, text string) {
	tab.t.Helper()
	tab.waitJS("a table row with "+text, uiTableRow(text)+" !== null")
}

// uiWantPhoneFit resizes the tab to a phone, checks the page is no
// wider, saves a screenshot and goes back to the desktop size.
func uiWantPhoneFit(tab *uiTab, shot string) {
	tab.t.Helper()
	tab.viewport(uiPhoneWidth, 812)
	tab.waitJS("the phone layout", fmt.Sprintf(`innerWidth === %d`, uiPhoneWidth))
	if n := tab.overflow(); n > 0 {
		tab.t.Errorf("%s at %d px: the page is %d px wider than the window", shot, uiPhoneWidth, n)
	}
	tab.shot(shot)
	tab.viewport(uiWidth, uiHeight)
	tab.waitJS("the desktop layout", fmt.Sprintf(`innerWidth === %d`, uiWidth))
}
