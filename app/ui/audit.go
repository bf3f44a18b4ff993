package ui

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// auditPage shows admins the audit trail, newest first, filtered by
// action, a page at a time. Members see that it is for admins.
type auditPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	status    loadStatus
	fail      failure
	forbidden bool
	action    shared.AuditAction
	entries   []shared.AuditEntry
	next      string

	loadingOlder bool
	olderErr     string
}

func newAuditPage() *auditPage { return &auditPage{} }

// OnMount keeps the page's context.
func (p *auditPage) OnMount(ctx app.Context) {
	p.ctx = ctx
}

// OnNav loads the newest entries.
func (p *auditPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	ctx.Page().SetTitle("Audit trail · Plugboard")
	p.load(ctx)
}

// fetchAudit loads a page of the trail, if the signed-in user is an
// admin; forbidden reports that they are not.
func fetchAudit(ctx context.Context, q api.AuditQuery) (page *api.AuditPage, forbidden bool, err error) {
	s, err := server.Session(ctx)
	if err != nil {
		return nil, false, err
	}
	if !s.IsAdmin() {
		return nil, true, nil
	}
	page, err = server.client().ListAudit(ctx, q)
	if isForbidden(err) {
		return nil, true, nil
	}
	return page, false, err
}

// load fetches the newest entries of the chosen action.
func (p *auditPage) load(ctx app.Context) {
	ctx = p.ctx
	p.status, p.olderErr = loading, ""
	q := api.AuditQuery{Action: p.action}
	ctx.Async(func() {
		page, forbidden, err := fetchAudit(ctx, q)
		ctx.Dispatch(func(ctx app.Context) {
			if q.Action != p.action {
				return // the filter changed meanwhile; its own load applies
			}
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.status, p.fail = loadFailed, describe(err)
				}
				return
			}
			p.status, p.fail, p.forbidden = loaded, failure{}, forbidden
			if page != nil {
				p.entries, p.next = page.Entries, page.NextBefore
			}
		})
	})
}

// loadOlder appends the next, older page.
func (p *auditPage) loadOlder(ctx app.Context, e app.Event) {
	ctx = p.ctx
	if p.loadingOlder || p.next == "" {
		return
	}
	p.loadingOlder, p.olderErr = true, ""
	q := api.AuditQuery{Action: p.action, Before: p.next}
	ctx.Async(func() {
		page, err := server.client().ListAudit(ctx, q)
		ctx.Dispatch(func(ctx app.Context) {
			p.loadingOlder = false
			if q.Action != p.action || q.Before != p.next {
				return
			}
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.olderErr = describe(err).Message
				}
				return
			}
			p.entries = append(p.entries, page.Entries...)
			p.next = page.NextBefore
		})
	})
}

// Render draws the page.
func (p *auditPage) Render() app.UI {
	return layout("Audit trail", notice{},
		app.If(p.forbidden, func() app.UI {
			return adminsOnly("Only admins can read the audit trail.")
		}).Else(func() app.UI {
			return app.Div().Body(
				p.filter(),
				p.body(),
			)
		}),
	)
}

// auditOptions are the choices of the action filter.
func auditOptions() []option {
	opts := []option{{Value: "", Label: "All actions"}}
	for _, a := range shared.AuditActions {
		opts = append(opts, option{Value: string(a), Label: auditLabel(a)})
	}
	return opts
}

func (p *auditPage) filter() app.UI {
	return app.Div().
		Class("toolbar").
		Body(
			app.P().
				Class("lead").
				Text("Who did what, and when: sign-ins, changes to users, keys, services "+
					"and connections. Newest first."),
			app.Div().
				Class("filter").
				Body(selectField(selectProps{
					ID: "audit-action", Label: "Action", Value: string(p.action),
					Options: auditOptions(),
					OnChange: func(ctx app.Context, v string) {
						p.action = shared.AuditAction(v)
						p.load(ctx)
					},
				})),
		)
}

func (p *auditPage) body() app.UI {
	switch {
	case p.status == loading:
		return app.P().Body(spinner("Loading the audit trail…"))
	case p.status == loadFailed:
		return loadFailedState("The audit trail could not be loaded.", p.fail,
			func(ctx app.Context) { p.load(ctx) })
	case len(p.entries) == 0 && p.action != "":
		return app.P().
			Class("empty").
			Text("Nothing recorded for “" + auditLabel(p.action) + "”.")
	case len(p.entries) == 0:
		return app.P().
			Class("empty").
			Text("Nothing recorded yet.")
	}
	return app.Div().Body(
		p.table(),
		p.olderControls(),
	)
}

func (p *auditPage) table() app.UI {
	return app.Table().
		Class("data audit").
		Body(
			app.Caption().
				Class("visually-hidden").
				Text("Audit trail, newest first"),
			app.THead().Body(
				app.Tr().Body(
					app.Th().Scope("col").Text("Time"),
					app.Th().Scope("col").Text("Actor"),
					app.Th().Scope("col").Text("Action"),
					app.Th().Scope("col").Text("Target"),
					app.Th().Scope("col").Text("Outcome"),
					app.Th().Scope("col").Text("IP"),
					app.Th().Scope("col").Text("Detail"),
				),
			),
			app.TBody().Body(
				app.Range(p.entries).Slice(func(i int) app.UI { return auditRow(p.entries[i]) }),
			),
		)
}

// olderControls offer the next, older page, or say there is none.
func (p *auditPage) olderControls() app.UI {
	return app.Div().
		Class("button-row").
		Body(
			app.If(p.next != "", func() app.UI {
				return app.Button().
					ID("load-older").
					Type("button").
					Class("button").
					Disabled(p.loadingOlder).
					OnClick(p.loadOlder).
					Body(app.If(p.loadingOlder, func() app.UI { return spinner("Loading…") }).
						Else(func() app.UI { return app.Text("Load older") }))
			}).Else(func() app.UI {
				return app.P().
					Class("hint").
					Text("That is the oldest entry.")
			}),
			app.If(p.olderErr != "", func() app.UI {
				return app.P().
					Class("field-error").
					Role("alert").
					Text("Older entries could not be loaded. " + p.olderErr)
			}),
		)
}
