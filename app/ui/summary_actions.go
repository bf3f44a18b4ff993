package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// actionBar holds the status and the buttons the status allows.
func (p *summaryPage) actionBar() app.UI {
	c := p.conn
	if p.shared() {
		return app.Div().
			Class("action-bar").
			Body(
				statusBadge(c.Status),
				sharedByTag(c.SharedBy),
			)
	}
	label, authorize := needsAuthorizing(c.Status)
	busy := p.busy != ""
	return app.Div().
		Class("action-bar").
		Body(
			statusBadge(c.Status),
			app.If(busy, func() app.UI { return spinner(p.busy) }),
			app.Div().
				Class("button-row").
				Body(
					app.If(authorize, func() app.UI {
						return app.Button().
							ID("authorize-button").
							Type("button").
							Class("button button-primary").
							Disabled(busy).
							OnClick(p.startAuthorize).
							Text(label)
					}),
					app.If(c.Status == shared.StatusConnected, func() app.UI {
						return app.Button().
							Type("button").
							Class("button").
							Disabled(busy).
							OnClick(p.verify).
							Text("Verify")
					}),
					app.If(canRevoke(c.Status), func() app.UI {
						return app.Button().
							Type("button").
							Class("button").
							Disabled(busy).
							OnClick(func(ctx app.Context, e app.Event) { p.ask("revoke") }).
							Text("Revoke")
					}),
					app.Button().
						Type("button").
						Class("button button-danger-quiet").
						Disabled(busy).
						OnClick(func(ctx app.Context, e app.Event) { p.ask("delete") }).
						Text("Delete"),
				),
		)
}

// startAuthorize sends an OAuth 2.0 connection to its provider and opens
// the credentials dialog for the others.
func (p *summaryPage) startAuthorize(ctx app.Context, e app.Event) {
	ctx = p.ctx
	p.note = notice{}
	if p.svc.AuthType != shared.AuthOAuth2 {
		p.dialog = true
		return
	}
	p.busy = "Opening " + p.svc.Name + "…"
	authorizeOAuth2(ctx, p.conn.ID, func(ctx app.Context, f failure) {
		p.busy = ""
		p.note = noticeFor(f)
	})
}

func (p *summaryPage) authorized(ctx app.Context, c *shared.Connection) {
	p.dialog = false
	p.conn = *c
	p.note = notice{Kind: noticeSuccess, Text: "Connected. " + c.Name + " is ready to use."}
	p.reload(ctx)
}

// verify checks the stored credentials against the service.
func (p *summaryPage) verify(ctx app.Context, e app.Event) {
	ctx = p.ctx
	p.busy, p.note = "Verifying…", notice{}
	id := p.conn.ID
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		var c *shared.Connection
		if err == nil {
			c, err = client.Verify(ctx, id)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = ""
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.note = notice{Kind: noticeError, Text: "Verification failed: " +
						describe(err).Message}
					p.reload(ctx)
				}
				return
			}
			p.conn = *c
			p.note = verifyNotice(*c)
			p.reload(ctx)
		})
	})
}

// verifyNotice words the result of a verification.
func verifyNotice(c shared.Connection) notice {
	switch {
	case c.Verified:
		return notice{Kind: noticeSuccess, Text: "Verified: the service accepted the credentials."}
	case c.LastError != "":
		return notice{Kind: noticeError, Text: "Verification failed: " + c.LastError}
	}
	return notice{Kind: noticeInfo, Text: "The service has no verification request; " +
		"nothing was checked."}
}

func (p *summaryPage) ask(action string) {
	p.note = notice{}
	p.confirm, p.askErr = action, ""
}

func (p *summaryPage) confirmDialog() app.UI {
	d := &confirmDialog{
		ID:        "confirm-dialog",
		Busy:      p.askBusy,
		Error:     p.askErr,
		OnConfirm: p.confirmed,
		OnCancel:  func(ctx app.Context) { p.confirm = "" },
		// After a revoke the Revoke button is gone; Re-authorize is next.
		ReturnFocus: "authorize-button",
	}
	c := p.conn
	if p.confirm == "revoke" {
		d.Title = "Revoke " + c.Name + "?"
		d.Message = "Plugboard asks " + p.svc.Name + " to end the grant and forgets the " +
			"credentials. Code that uses " + c.LinkName + " stops working until the " +
			"connection is authorized again. The connection stays listed."
		d.ConfirmLabel, d.BusyLabel = "Revoke", "Revoking…"
		return d
	}
	d.Title = "Delete " + c.Name + "?"
	d.Message = "The connection is revoked and removed, with its history. Code that uses " +
		c.LinkName + " stops working. This cannot be undone."
	d.ConfirmLabel, d.BusyLabel, d.Danger = "Delete", "Deleting…", true
	return d
}

// confirmed revokes or deletes the connection.
func (p *summaryPage) confirmed(ctx app.Context) {
	ctx = p.ctx
	p.askBusy, p.askErr = true, ""
	action, id := p.confirm, p.conn.ID
	ctx.Async(func() {
		var c *shared.Connection
		client, err := server.Changing(ctx)
		if err == nil && action == "revoke" {
			c, err = client.Revoke(ctx, id)
		} else if err == nil {
			err = client.DeleteConnection(ctx, id)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.askBusy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.askErr = describe(err).Message
				}
				return
			}
			p.confirm = ""
			if c == nil {
				ctx.Navigate(pathHome)
				return
			}
			p.conn = *c
			p.note = notice{Kind: noticeSuccess, Text: "Revoked. The connection can be " +
				"authorized again with Re-authorize."}
			p.reload(ctx)
		})
	})
}
