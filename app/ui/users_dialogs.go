package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// createUserDialog asks for a new user's username, name, role and first
// password, and creates them. The parent renders it while it is open.
type createUserDialog struct {
	app.Compo

	OnDone   func(ctx app.Context, u *shared.User)
	OnCancel func(ctx app.Context)

	form dialogForm
	in   shared.UserInput
	show bool
}

const createUserDialogID = "create-user-dialog"

// OnMount opens the dialog; new users are members unless chosen
// otherwise.
func (d *createUserDialog) OnMount(ctx app.Context) {
	d.in = shared.UserInput{Role: shared.RoleMember}
	d.form.open(ctx, createUserDialogID)
	focusSoon("new-username")
}

// OnDismount gives the focus back.
func (d *createUserDialog) OnDismount() {
	d.form.focus.restore("add-user")
}

// roleOptions are the choices of a role select.
var roleOptions = []option{
	{Value: string(shared.RoleMember), Label: roleLabel(shared.RoleMember)},
	{Value: string(shared.RoleAdmin), Label: roleLabel(shared.RoleAdmin)},
}

// roleHint says what each role may do.
const roleHint = "Members manage their own services, connections and API keys. Admins " +
	"also manage users, read the audit trail and share their connections."

// Render draws the form.
func (d *createUserDialog) Render() app.UI {
	f, in := &d.form, &d.in
	return formDialog(formDialogProps{
		ID: createUserDialogID, Title: "Add a user",
		Intro: "Give them their username and first password yourself; they can change " +
			"the password on their account page.",
		Busy:        f.busy,
		Fail:        f.fail,
		SubmitLabel: "Add user", BusyLabel: "Adding…",
		OnSubmit: d.submit,
		OnClose:  func(ctx app.Context, e app.Event) { f.closed(ctx, d.OnCancel) },
		OnCancel: d.OnCancel,
	},
		textField(textProps{
			ID: "new-username", Label: "Username", Value: in.Username, Required: true,
			Hint:  "Lower-case letters, digits, '.', '_' or '-'; 2 to 64 characters.",
			Error: f.fail.Fields["username"], Disabled: f.busy,
			OnInput: func(ctx app.Context, v string) { in.Username = v },
		}),
		textField(textProps{
			ID: "new-name", Label: "Name (optional)", Value: in.Name,
			Hint:  "How Plugboard shows them; their username when left empty.",
			Error: f.fail.Fields["name"], Disabled: f.busy,
			OnInput: func(ctx app.Context, v string) { in.Name = v },
		}),
		selectField(selectProps{
			ID: "new-role", Label: "Role", Value: string(in.Role), Options: roleOptions,
			Hint: roleHint, Error: f.fail.Fields["role"], Disabled: f.busy,
			OnChange: func(ctx app.Context, v string) { in.Role = shared.Role(v) },
		}),
		passwordInput(passwordProps{
			ID: "new-user-password", Label: "First password", Value: in.Password,
			Error: f.fail.Fields["password"], Disabled: f.busy, Show: d.show,
			OnInput: func(ctx app.Context, v string) { in.Password = v },
			OnShow:  func(ctx app.Context, v bool) { d.show = v },
		}),
	)
}

// submit checks the form with the shared rules and creates the user. A
// taken username shows next to the username.
func (d *createUserDialog) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f := &d.form
	if f.busy {
		return
	}
	in := d.in
	in.Username, in.Name = strings.TrimSpace(in.Username), strings.TrimSpace(in.Name)
	if fields := fieldMap(in.Check()); fields != nil {
		f.invalid(fields)
		return
	}
	f.busy, f.fail = true, failure{}
	ctx = f.ctx
	ctx.Async(func() {
		var u *shared.User
		client, err := server.Changing(ctx)
		if err == nil {
			u, err = client.CreateUser(ctx, in)
		}
		ctx.Dispatch(func(ctx app.Context) {
			f.busy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					f.fail = createUserFailure(err)
				}
				return
			}
			d.OnDone(ctx, u)
		})
	})
}

// createUserFailure words a refused new user: a taken username is the
// username field's error.
func createUserFailure(err error) failure {
	f := describe(err)
	if f.Code != shared.CodeDuplicateUsername {
		return f
	}
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	f.Fields["username"] = f.Message
	return f
}

// resetPasswordDialog replaces a user's password; their sessions end.
type resetPasswordDialog struct {
	app.Compo

	User     shared.User
	OnDone   func(ctx app.Context, u *shared.User)
	OnCancel func(ctx app.Context)

	form     dialogForm
	password string
	show     bool
}

const resetPasswordDialogID = "reset-password-dialog"

// OnMount opens the dialog.
func (d *resetPasswordDialog) OnMount(ctx app.Context) {
	d.form.open(ctx, resetPasswordDialogID)
	focusSoon("reset-password")
}

// OnDismount gives the focus back.
func (d *resetPasswordDialog) OnDismount() {
	d.form.focus.restore("add-user")
}

// Render draws the form.
func (d *resetPasswordDialog) Render() app.UI {
	f := &d.form
	return formDialog(formDialogProps{
		ID: resetPasswordDialogID, Title: "Reset " + d.User.Username + "'s password",
		Intro: "Their sessions are signed out; they sign in again with this password, " +
			"and can change it on their account page.",
		Busy:        f.busy,
		Fail:        f.fail,
		SubmitLabel: "Reset password", BusyLabel: "Saving…",
		OnSubmit: d.submit,
		OnClose:  func(ctx app.Context, e app.Event) { f.closed(ctx, d.OnCancel) },
		OnCancel: d.OnCancel,
	},
		passwordInput(passwordProps{
			ID: "reset-password", Label: "New password", Value: d.password,
			Error: f.fail.Fields["password"], Disabled: f.busy, Show: d.show,
			OnInput: func(ctx app.Context, v string) { d.password = v },
			OnShow:  func(ctx app.Context, v bool) { d.show = v },
		}),
	)
}

func (d *resetPasswordDialog) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f := &d.form
	if f.busy {
		return
	}
	pw := d.password
	patch := shared.UserPatch{Password: &pw}
	if fields := fieldMap(patch.Check()); fields != nil {
		f.invalid(fields)
		return
	}
	f.busy, f.fail = true, failure{}
	ctx = f.ctx
	id := d.User.ID
	ctx.Async(func() {
		var u *shared.User
		client, err := server.Changing(ctx)
		if err == nil {
			u, err = client.UpdateUser(ctx, id, patch)
		}
		ctx.Dispatch(func(ctx app.Context) {
			f.busy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					f.fail = describe(err)
				}
				return
			}
			d.OnDone(ctx, u)
		})
	})
}

// passwordProps describes a new password's input, with a box that shows
// what was typed, for the admin who must pass it on.
type passwordProps struct {
	ID       string
	Label    string
	Value    string
	Error    string
	Disabled bool
	Show     bool
	OnInput  func(ctx app.Context, v string)
	OnShow   func(ctx app.Context, show bool)
}

// passwordInput renders a new password's input and its Show box.
func passwordInput(p passwordProps) app.UI {
	kind := "password"
	if p.Show {
		kind = "text"
	}
	return app.Div().Body(
		textField(textProps{
			ID: p.ID, Label: p.Label, Type: kind, Value: p.Value, Required: true,
			Autocomplete: "new-password",
			Hint:         newPasswordHint,
			Error:        p.Error, Disabled: p.Disabled,
			OnInput: p.OnInput,
		}),
		checkbox(checkProps{
			ID: p.ID + "-show", Label: "Show the password", Checked: p.Show,
			Disabled: p.Disabled, OnChange: p.OnShow,
		}),
	)
}
