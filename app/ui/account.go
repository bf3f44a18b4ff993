package ui

import (
	"net/http"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// accountPage shows who is signed in, changes their password (or sets
// the first one) and signs them out everywhere.
type accountPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	status  loadStatus
	fail    failure
	session api.Session

	pw     passwordDraft
	pwBusy bool
	pwFail failure
	pwDone string

	ending  bool
	endBusy bool
	endErr  string
}

// passwordDraft is what the password form holds.
type passwordDraft struct {
	Current string
	New     string
	Confirm string
}

func newAccountPage() *accountPage { return &accountPage{} }

// OnMount keeps the page's context.
func (p *accountPage) OnMount(ctx app.Context) {
	p.ctx = ctx
}

// OnNav asks the server for the signed-in user afresh: whether they have
// a password may have changed since the session was first read.
func (p *accountPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	ctx.Page().SetTitle("Account · Plugboard")
	p.load(ctx)
}

func (p *accountPage) load(ctx app.Context) {
	ctx = p.ctx
	if p.status != loaded {
		p.status = loading
	}
	ctx.Async(func() {
		s, err := server.Refresh(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.status, p.fail = loadFailed, describe(err)
				}
				return
			}
			p.status, p.fail, p.session = loaded, failure{}, *s
		})
	})
}

// Render draws the page.
func (p *accountPage) Render() app.UI {
	return layout("Account", notice{},
		app.If(p.status == loading, func() app.UI {
			return app.P().Body(spinner("Loading your account…"))
		}).ElseIf(p.status == loadFailed, func() app.UI {
			return loadFailedState("Your account could not be loaded.", p.fail,
				func(ctx app.Context) { p.load(ctx) })
		}).Else(func() app.UI {
			return app.Div().
				Class("stack").
				Body(
					p.whoCard(),
					p.passwordCard(),
					p.sessionsCard(),
				)
		}),
		app.If(p.ending, p.endDialog),
	)
}

func (p *accountPage) whoCard() app.UI {
	u := p.session.User
	return app.Section().
		Class("card").
		Aria("labelledby", "who-title").
		Body(
			app.H2().
				ID("who-title").
				Text("You"),
			app.Dl().
				Class("facts").
				Body(
					fact("Username", app.Code().Text(u.Username)),
					fact("Name", app.Text(displayName(u))),
					fact("Role", app.Text(roleLabel(u.Role))),
					fact("Last sign-in", app.Text(formatTime(u.LastSignInAt, "—"))),
					app.If(!p.session.ExpiresAt.IsZero(), func() app.UI {
						return fact("This session ends", app.Text(formatTime(p.session.ExpiresAt, "")))
					}),
				),
		)
}

// passwordCard changes the password. A user without one (the first
// admin, who signed in with the link) sets one without giving a current
// password.
func (p *accountPage) passwordCard() app.UI {
	has := p.session.User.HasPassword
	title, submit := "Change your password", "Change password"
	if !has {
		title, submit = "Set a password", "Set password"
	}
	return app.Section().
		Class("card").
		Aria("labelledby", "password-title").
		Body(
			app.H2().
				ID("password-title").
				Text(title),
			app.If(!has, func() app.UI {
				return app.P().Text("You have no password yet. Set one to sign in with your " +
					"username, " + p.session.User.Username + ", and a password.")
			}),
			app.Form().
				ID("password-form").
				Attr("novalidate", true).
				OnSubmit(p.changePassword).
				Body(p.passwordFields(has, submit)...),
		)
}

func (p *accountPage) passwordFields(has bool, submit string) []app.UI {
	d, busy, fields := &p.pw, p.pwBusy, p.pwFail.Fields
	return []app.UI{
		app.If(has, func() app.UI {
			return textField(textProps{
				ID: "current-password", Label: "Current password", Type: "password",
				Value: d.Current, Required: true, Autocomplete: "current-password",
				Error: fields["current_password"], Disabled: busy,
				OnInput: func(ctx app.Context, v string) { d.Current = v },
			})
		}),
		textField(textProps{
			ID: "new-password", Label: "New password", Type: "password", Value: d.New,
			Required: true, Autocomplete: "new-password",
			Hint:  newPasswordHint + " A few unrelated words make a good one.",
			Error: fields["new_password"], Disabled: busy,
			OnInput: func(ctx app.Context, v string) { d.New = v },
		}),
		textField(textProps{
			ID: "confirm-password", Label: "New password again", Type: "password",
			Value: d.Confirm, Required: true, Autocomplete: "new-password",
			Error: fields["confirm"], Disabled: busy,
			OnInput: func(ctx app.Context, v string) { d.Confirm = v },
		}),
		app.Div().
			Class("live").
			Role("alert").
			Body(app.If(p.pwFail.Message != "", func() app.UI { return noticeBox(noticeFor(p.pwFail)) })),
		app.Div().
			Class("live").
			Role("status").
			Body(app.If(p.pwDone != "", func() app.UI {
				return noticeBox(notice{Kind: noticeSuccess, Text: p.pwDone})
			})),
		app.Button().
			Type("submit").
			Class("button button-primary").
			Disabled(busy).
			Body(app.If(busy, func() app.UI { return spinner("Saving…") }).
				Else(func() app.UI { return app.Text(submit) })),
	}
}

// newPasswordHint says what a new password needs.
var newPasswordHint = "At least " + strconv.Itoa(shared.MinPasswordLen) + " characters."

// passwordErrors checks the form before anything is sent.
func passwordErrors(d passwordDraft, has bool) map[string]string {
	errs := fieldMap(shared.PasswordChange{NewPassword: d.New}.Check())
	if errs == nil {
		errs = map[string]string{}
	}
	if has && d.Current == "" {
		errs["current_password"] = "is required"
	}
	if d.Confirm != d.New {
		errs["confirm"] = "does not match the new password"
	}
	return errs
}

// changePassword sends the change. The other sessions end on the
// server; this one stays.
func (p *accountPage) changePassword(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx = p.ctx
	if p.pwBusy {
		return
	}
	has := p.session.User.HasPassword
	p.pwDone = ""
	if errs := passwordErrors(p.pw, has); len(errs) > 0 {
		p.pwFail = failure{Message: "Some fields need attention: see the messages next to them.",
			Fields: errs}
		return
	}
	in := shared.PasswordChange{NewPassword: p.pw.New}
	if has {
		in.CurrentPassword = p.pw.Current
	}
	p.pwBusy, p.pwFail = true, failure{}
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			err = client.ChangePassword(ctx, in)
		}
		ctx.Dispatch(func(ctx app.Context) { p.passwordChanged(ctx, err, has) })
	})
}

func (p *accountPage) passwordChanged(ctx app.Context, err error, had bool) {
	p.pwBusy = false
	if err != nil {
		if signInIfNeeded(ctx, err) {
			return
		}
		p.pwFail = describe(err)
		if p.pwFail.Status == http.StatusTooManyRequests {
			p.pwFail.Message = rateLimitText(err)
		}
		return
	}
	p.pw = passwordDraft{}
	clearInputs("current-password", "new-password", "confirm-password")
	p.pwDone = "Your password was changed. Every other session of yours was signed out."
	if !had {
		p.pwDone = "Your password is set. You can now sign in with your username and password."
	}
	p.load(ctx)
}

func (p *accountPage) sessionsCard() app.UI {
	return app.Section().
		Class("card").
		Aria("labelledby", "sessions-title").
		Body(
			app.H2().
				ID("sessions-title").
				Text("Sessions"),
			app.P().Text("Sign out of Plugboard in every browser where you are signed in, "+
				"this one included. Your API keys keep working."),
			app.Button().
				ID("end-sessions").
				Type("button").
				Class("button button-danger-quiet").
				OnClick(func(ctx app.Context, e app.Event) { p.ending, p.endErr = true, "" }).
				Text("Sign out everywhere"),
		)
}

func (p *accountPage) endDialog() app.UI {
	return &confirmDialog{
		ID:    "confirm-dialog",
		Title: "Sign out everywhere?",
		Message: "Every browser signed in as you, this one included, is signed out and " +
			"must sign in again.",
		ConfirmLabel: "Sign out everywhere",
		BusyLabel:    "Signing out…",
		Danger:       true,
		Busy:         p.endBusy,
		Error:        p.endErr,
		OnConfirm:    p.endSessions,
		OnCancel:     func(ctx app.Context) { p.ending = false },
	}
}

// endSessions ends every session of the user, then shows the sign-in
// page.
func (p *accountPage) endSessions(ctx app.Context) {
	ctx = p.ctx
	p.endBusy, p.endErr = true, ""
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			err = client.EndSessions(ctx)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.endBusy = false
			if err != nil && !signInIfNeeded(ctx, err) {
				p.endErr = describe(err).Message
				return
			}
			p.ending = false
			signedOut(ctx)
		})
	})
}
