package e2e

import (
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// The passwords of TestUIPeople.
const (
	uiAdminPassword  = "admin's own long password"
	uiMemberPassword = "bob's first long password"
)

// TestUIPeople walks through users, keys and the audit trail in the
// browser: the first admin signs in with the link, sets a password,
// adds a member and an API key (shown once) and signs out; the member
// signs in with their password and sees neither the admin pages nor the
// admin's connection; the admin signs in with the password, finds the
// sign-in, the new user and the new key in the audit trail, and shares
// the connection, which the member then sees as shared, without actions,
// with the admin's service even though a service of the member's own has
// the same id.
func TestUIPeople(t *testing.T) {
	e := uiSetUp(t, "")
	ctx := t.Context()
	me, err := e.pb.api.Session(ctx)
	if err != nil {
		t.Fatalf("who is the first admin: %v", err)
	}
	adminName := me.User.Username
	if _, err := e.pb.api.CreateService(ctx, uiWikiService("Team Wiki", uiTeamWikiBase)); err != nil {
		t.Fatalf("add the admin's service: %v", err)
	}
	conn, err := e.pb.api.CreateConnection(ctx, shared.ConnectionInput{
		Name: "Admin wiki", LinkName: "admin_wiki", ServiceID: uiWikiID,
		Config: map[string]string{"team": "acme"},
	})
	if err != nil {
		t.Fatalf("add the admin's connection: %v", err)
	}
	admin := e.signIn(t)

	uiStep(t, "admin sets a password", func(t *testing.T) {
		admin.t = t
		uiWantSignedInAs(admin, adminName, "Admin")
		admin.clickNamed(".topbar nav", "Account")
		admin.waitPath("/account")
		admin.waitText("#password-title", "Set a password")
		if admin.is(`!!document.getElementById("current-password")`) {
			t.Errorf("a user without a password was asked for the current one")
		}
		admin.fill("new-password", uiAdminPassword)
		admin.fill("confirm-password", uiAdminPassword+"x")
		admin.clickNamed("#password-form", "Set password")
		admin.waitText("#confirm-password-error", "does not match")

		admin.fill("confirm-password", uiAdminPassword)
		admin.clickNamed("#password-form", "Set password")
		admin.waitText("#password-form [role=status]", "Your password is set.")
		admin.waitText("#password-title", "Change your password")
		admin.shot("people-account")
	})

	uiStep(t, "admin adds a member", func(t *testing.T) {
		admin.t = t
		admin.clickNamed(".topbar nav", "Users")
		admin.waitPath("/users")
		uiWantRow(admin, adminName)
		admin.clickNamed("#main", "Add user")
		admin.waitJS("the add-user dialog", `!!document.querySelector("#create-user-dialog[open]")`)
		admin.fill("new-username", "bob")
		admin.fill("new-name", "Bob Member")
		admin.fill("new-user-password", uiMemberPassword)
		admin.shotWindow("people-add-user")
		admin.clickNamed("#create-user-dialog", "Add user")
		admin.waitText("#main [role=status]", "bob was added.")
		uiWantRow(admin, "Bob Member")
		if row := admin.text("#main table.data tbody tr:last-child"); !strings.Contains(row, "Member") {
			t.Errorf("bob's row: got %q, want the role Member", row)
		}
		admin.shot("people-users")
		uiWantPhoneFit(admin, "people-users-375")

		users, err := e.pb.api.ListUsers(ctx)
		if err != nil || len(users) != 2 || users[1].Username != "bob" || users[1].Role != shared.RoleMember {
			t.Errorf("stored users: got %+v, %v; want the admin and bob, a member", users, err)
		}
	})

	var key string
	uiStep(t, "admin creates an API key", func(t *testing.T) {
		admin.t = t
		admin.clickNamed(".topbar nav", "API keys")
		admin.waitPath("/keys")
		uiWantRow(admin, "first key")
		admin.clickNamed("#main", "Create key")
		admin.waitJS("the key dialog", `!!document.querySelector("#create-key-dialog[open]")`)
		admin.fill("key-name", "CI deploys")
		admin.click("the read right", uiCSS(`label[for="key-right-read"]`))
		admin.clickNamed("#create-key-dialog", "Create key")
		admin.waitJS("the new key", `(document.getElementById("new-key")?.value ?? "").startsWith("pb_")`)
		key = admin.value("new-key")
		admin.waitText("#main", "you won't see it again")
		uiWantRow(admin, "CI deploys")
		admin.shot("people-key-created")

		got, err := api.New(e.pb.srv.URL(), api.WithAPIKey(key)).ListKeys(ctx)
		if err != nil || len(got) != 2 {
			t.Errorf("the new key lists keys: got %d keys, %v; want 2", len(got), err)
		}
		admin.clickNamed("#main", "Done, I copied it")
		admin.waitJS("the key gone", `!document.getElementById("new-key")`)
		if strings.Contains(admin.text("body"), key) {
			t.Errorf("the key still shows after Done")
		}
		uiWantPhoneFit(admin, "people-keys-375")
	})

	uiStep(t, "admin signs out", func(t *testing.T) {
		admin.t = t
		admin.clickNamed(".topbar", "Sign out")
		admin.waitPath("/signin")
	})

	member := e.browser.tab(t, e.shots)
	uiStep(t, "member signs in with a password", func(t *testing.T) {
		member.t = t
		member.open(e.pb.srv.URL() + "/")
		member.waitPath("/signin")
		uiSignInWithPassword(member, "bob", "not bob's password")
		member.waitText("#main [role=status]", "The username or password is wrong.")
		if v := member.value("password"); v != "" {
			t.Errorf("password after a refusal: got %q, want it cleared", v)
		}
		member.shot("people-signin-wrong")

		uiSignInWithPassword(member, "bob", uiMemberPassword)
		member.waitPath("/")
		uiWantSignedInAs(member, "Bob Member", "Member")
		member.waitText("#main", "No connections yet")
		for _, name := range []string{"Users", "Audit"} {
			if uiHasLink(member, name) {
				t.Errorf("a member's navigation links to %s", name)
			}
		}
		if !uiHasLink(member, "API keys") || !uiHasLink(member, "Account") {
			t.Errorf("a member's navigation: want API keys and Account")
		}
		member.shot("people-member-connections")

		member.open(e.pb.srv.URL() + "/users")
		member.waitText("#main", "Only admins can see and manage users.")
		if member.is(`!!document.querySelector("#main table")`) {
			t.Errorf("a member sees a table of users")
		}
		member.open(e.pb.srv.URL() + "/audit")
		member.waitText("#main", "Only admins can read the audit trail.")
		if member.is(`!!document.querySelector("#main table")`) {
			t.Errorf("a member sees the audit trail")
		}
	})

	uiStep(t, "admin reads the audit trail", func(t *testing.T) {
		admin.t = t
		uiSignInWithPassword(admin, adminName, uiAdminPassword)
		admin.waitPath("/")
		uiWantSignedInAs(admin, adminName, "Admin")
		admin.clickNamed(".topbar nav", "Audit")
		admin.waitPath("/audit")
		for _, action := range []string{"Signed in", "User created", "API key created", "Sign-in failed"} {
			uiWantRow(admin, action)
		}
		uiWantRow(admin, "User bob")
		admin.shot("people-audit")

		uiChoose(admin, "audit-action", "User created")
		admin.waitJS("only user_created entries", `(() => {
			const rows = [...document.querySelectorAll("#main table.data tbody tr")];
			return rows.length > 0 && rows.every(r => r.innerText.includes("User created"));
		})()`)
		uiWantPhoneFit(admin, "people-audit-375")
	})

	uiStep(t, "admin shares a connection", func(t *testing.T) {
		admin.t = t
		admin.open(e.pb.srv.URL() + "/connections/" + conn.ID)
		admin.waitText("#sharing-title", "Sharing")
		admin.waitText("#main", "Not shared with anyone.")
		uiChoose(admin, "share-user", "bob")
		admin.clickNamed(".share-form", "Share")
		admin.waitText(".share-list", "bob")
		admin.shot("people-sharing")

		shares, err := e.pb.api.ListShares(ctx, conn.ID)
		if err != nil || len(shares) != 1 || shares[0].Username != "bob" {
			t.Errorf("stored shares: got %+v, %v; want bob", shares, err)
		}
	})

	uiStep(t, "member sees the shared connection", func(t *testing.T) {
		member.t = t
		uiMemberService(t, e.pb.srv.URL(), "bob", uiMemberPassword)
		member.open(e.pb.srv.URL() + "/")
		member.waitText(".rows", "Admin wiki")
		member.waitText(".rows .shared-by", "Shared by "+adminName)
		member.waitText(".rows .row-service", "Team Wiki")
		if member.is(`!!document.querySelector(".rows .actions")`) {
			t.Errorf("a shared connection's row offers actions")
		}
		uiWantNoText(member, "#main", uiMemberWikiName)
		member.shot("people-member-shared")

		member.clickNamed(".rows", "Admin wiki")
		member.waitText("#main", "Shared with you")
		member.waitText("#service-title", "Team Wiki")
		for _, want := range []string{uiTeamWikiBase, "API key", "Custom service of " + adminName} {
			member.waitText("#main .columns", want)
		}
		uiWantNoText(member, "#main", uiMemberWikiName)
		uiWantNoText(member, "#main", uiMemberWikiBase)
		member.shot("people-member-shared-summary")
		for _, name := range []string{"Delete", "Revoke", "Connect", "Edit"} {
			if member.is(uiNamed("#main", name) + " !== null") {
				t.Errorf("the summary of a shared connection offers %s", name)
			}
		}
		if member.is(`!!document.getElementById("sharing-title")`) {
			t.Errorf("a member sees the sharing card")
		}
		uiWantPhoneFit(member, "people-member-shared-375")
	})

	uiStep(t, "sign-in attempts are limited", func(t *testing.T) {
		guesser := e.browser.tab(t, e.shots)
		guesser.open(e.pb.srv.URL() + "/signin")
		for i := 0; ; i++ {
			uiSignInWithPassword(guesser, "nobody", "guess number "+strings.Repeat("x", i))
			// A refused password is cleared; a refused attempt is kept.
			guesser.waitJS("an answer", `document.getElementById("password").value === "" || `+
				`/Too many/.test(document.querySelector("#main [role=status]")?.innerText ?? "")`)
			if strings.Contains(guesser.text("#main [role=status]"), "Too many attempts. Try again in ") {
				break
			}
			if i == 10 {
				t.Fatalf("no limit after %d wrong passwords; last answer %q", i+1,
					guesser.text("#main [role=status]"))
			}
		}
		guesser.shot("people-signin-limited")
	})
}

// uiStep runs one step of a browser walk-through as a subtest, and stops
// the walk when it fails: the steps after it build on it.
func uiStep(t *testing.T, name string, step func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, step) {
		t.FailNow()
	}
}
