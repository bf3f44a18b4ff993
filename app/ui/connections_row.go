package ui

import (
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// row draws one connection. Its actions show when the row is hovered or
// holds the focus.
func (p *connectionsPage) row(c shared.Connection) app.UI {
	svc, _ := serviceOf(c, p.services)
	name := serviceName(c, p.services)
	return app.Li().
		Class("row").
		Body(
			app.Div().
				Class("row-service").
				Body(
					serviceIcon(svc.Icon, name),
					app.Span().Text(name),
				),
			app.Div().
				Class("row-name").
				Body(
					app.A().
						Href(connectionPath(c.ID)).
						Text(c.Name),
					app.Code().Text(c.LinkName),
					app.If(c.SharedBy != "", func() app.UI { return sharedByTag(c.SharedBy) }),
				),
			app.Div().
				Class("row-status").
				Body(statusBadge(c.Status)),
			app.Div().
				Class("row-used").
				Text(lastUsedText(p.now, c)),
			app.If(!p.offline && c.SharedBy == "", func() app.UI { return p.rowActions(c) }),
		)
}

// sharedByTag says who shared a connection with the signed-in user, who
// may only call it through the proxy.
func sharedByTag(owner string) app.UI {
	return app.Span().
		Class("shared-by").
		Text("Shared by " + owner)
}

// rowActions are the buttons of a row: Connect or Re-authorize, Revoke
// and Delete, as the status allows.
func (p *connectionsPage) rowActions(c shared.Connection) app.UI {
	busy := p.busyID == c.ID
	label, authorize := needsAuthorizing(c.Status)
	return app.Div().
		Class("actions").
		Body(
			app.If(busy, func() app.UI { return spinner("Working…") }),
			app.If(authorize, func() app.UI {
				return app.Button().
					Type("button").
					Class("button button-primary").
					Disabled(busy).
					Aria("label", label+" "+c.Name).
					OnClick(func(ctx app.Context, e app.Event) { p.startAuthorize(ctx, c) },
						app.EventScope("authorize", c.ID, c.Status)).
					Text(label)
			}),
			app.If(canRevoke(c.Status), func() app.UI {
				return app.Button().
					Type("button").
					Class("button").
					Disabled(busy).
					Aria("label", "Revoke "+c.Name).
					OnClick(func(ctx app.Context, e app.Event) { p.ask("revoke", c) },
						app.EventScope("revoke", c.ID, c.Status)).
					Text("Revoke")
			}),
			app.Button().
				Type("button").
				Class("button button-danger-quiet").
				Disabled(busy).
				Aria("label", "Delete "+c.Name).
				OnClick(func(ctx app.Context, e app.Event) { p.ask("delete", c) },
					app.EventScope("delete", c.ID)).
				Text("Delete"),
		)
}

// startAuthorize sends OAuth 2.0 connections to their provider and opens
// the credentials dialog for the others.
func (p *connectionsPage) startAuthorize(ctx app.Context, c shared.Connection) {
	ctx = p.ctx
	p.note = notice{}
	svc, ok := serviceOf(c, p.services)
	if !ok {
		p.note = notice{Kind: noticeError, Text: "The service " + c.ServiceID + " of " + c.Name +
			" is not known any more."}
		return
	}
	if svc.AuthType != shared.AuthOAuth2 {
		p.authorize = &c
		return
	}
	p.busyID = c.ID
	p.note = notice{Kind: noticeInfo, Text: "Opening " + svc.Name + " to authorize " + c.Name + "…"}
	authorizeOAuth2(ctx, c.ID, func(ctx app.Context, f failure) {
		p.busyID = ""
		p.note = notice{Kind: noticeError, Text: c.Name + ": " + f.Message}
	})
}

func (p *connectionsPage) authorizeDialog() app.UI {
	c := *p.authorize
	svc, _ := serviceOf(c, p.services)
	return &authorizeDialog{
		Connection: c,
		Service:    svc,
		OnDone: func(ctx app.Context, conn *shared.Connection) {
			p.authorize = nil
			p.replace(*conn)
			p.note = notice{Kind: noticeSuccess, Text: c.Name + " is connected."}
		},
		OnCancel: func(ctx app.Context) { p.authorize = nil },
	}
}

// ask opens the confirmation of a revoke or a delete.
func (p *connectionsPage) ask(action string, c shared.Connection) {
	p.note = notice{}
	p.confirm = &rowConfirm{Action: action, Conn: c}
}

func (p *connectionsPage) confirmDialog() app.UI {
	q := p.confirm
	d := &confirmDialog{
		ID:        "confirm-dialog",
		Busy:      q.Busy,
		Error:     q.Error,
		OnConfirm: p.confirmed,
		OnCancel:  func(ctx app.Context) { p.confirm = nil },
	}
	if q.Action == "revoke" {
		d.Title = "Revoke " + q.Conn.Name + "?"
		d.Message = "Code that uses " + q.Conn.LinkName + " stops working until it is " +
			"authorized again. The connection stays listed."
		d.ConfirmLabel, d.BusyLabel = "Revoke", "Revoking…"
		return d
	}
	d.Title = "Delete " + q.Conn.Name + "?"
	d.Message = "The connection is revoked and removed, with its history. Code that uses " +
		q.Conn.LinkName + " stops working. This cannot be undone."
	d.ConfirmLabel, d.BusyLabel, d.Danger = "Delete", "Deleting…", true
	return d
}

// confirmed carries out the confirmed action.
func (p *connectionsPage) confirmed(ctx app.Context) {
	ctx = p.ctx
	q := p.confirm
	q.Busy, q.Error = true, ""
	ctx.Async(func() {
		var updated *shared.Connection
		client, err := server.Changing(ctx)
		if err == nil && q.Action == "revoke" {
			updated, err = client.Revoke(ctx, q.Conn.ID)
		} else if err == nil {
			err = client.DeleteConnection(ctx, q.Conn.ID)
		}
		ctx.Dispatch(func(ctx app.Context) { p.done(ctx, q, updated, err) })
	})
}

func (p *connectionsPage) done(ctx app.Context, q *rowConfirm, updated *shared.Connection, err error) {
	q.Busy = false
	if err != nil {
		if !signInIfNeeded(ctx, err) {
			q.Error = describe(err).Message
		}
		return
	}
	p.confirm = nil
	if updated != nil {
		p.replace(*updated)
		p.note = notice{Kind: noticeSuccess, Text: q.Conn.Name + " was revoked. It can be authorized again."}
		return
	}
	p.conns = slices.DeleteFunc(p.conns, func(c shared.Connection) bool { return c.ID == q.Conn.ID })
	p.note = notice{Kind: noticeSuccess, Text: q.Conn.Name + " was deleted."}
	saveList(ctx, newCachedList(p.conns, p.services, p.now))
}

// replace puts an updated connection in the list.
func (p *connectionsPage) replace(c shared.Connection) {
	for i := range p.conns {
		if p.conns[i].ID == c.ID {
			p.conns[i] = c
		}
	}
}

// lastUsedText says when code last used the connection.
func lastUsedText(now time.Time, c shared.Connection) string {
	if c.LastUsedAt.IsZero() {
		return "Never used"
	}
	return "Used " + relativeTime(now, c.LastUsedAt)
}
