package ui

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// summaryPage shows one connection: its details and its service's, its
// history, and the actions its status allows.
type summaryPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	id     string
	status loadStatus
	fail   failure
	conn   shared.Connection
	svc    shared.Service
	events []shared.Event
	meta   *api.Meta
	me     shared.User
	now    time.Time

	note    notice
	busy    string
	confirm string
	askBusy bool
	askErr  string
	dialog  bool

	editing        bool
	edit           connectionDraft
	editErrs       map[string]string
	editFail       failure
	editingService bool
}

func newSummaryPage() *summaryPage { return &summaryPage{} }

// OnNav loads the connection named in the address and shows the outcome
// of an authorization the server sent the person back from.
func (p *summaryPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	u := ctx.Page().URL()
	id, _ := url.PathUnescape(strings.TrimPrefix(u.Path, "/connections/"))
	outcome := u.Query().Get("outcome")
	if outcome != "" {
		clean := *u
		clean.RawQuery = ""
		ctx.Page().ReplaceURL(&clean)
	}
	if id != p.id {
		*p = summaryPage{Compo: p.Compo, ctx: p.ctx, id: id}
	}
	ctx.Page().SetTitle("Connection · Plugboard")
	p.load(ctx, outcome)
}

// summaryData is what the page loads.
type summaryData struct {
	conn   *shared.Connection
	svc    *shared.Service
	events []shared.Event
	meta   *api.Meta
	me     shared.User
}

func fetchSummary(ctx context.Context, id string) (summaryData, error) {
	var d summaryData
	s, err := server.Session(ctx)
	if err != nil {
		return d, err
	}
	d.me = s.User
	client := server.client()
	if d.conn, err = client.GetConnection(ctx, id); err != nil {
		return d, err
	}
	if d.conn.SharedBy != "" {
		// The history of a connection shared with the user is its
		// owner's, and so is its service: the summary that came with
		// it, never the user's own service with the same id.
		svc := ownersService(*d.conn)
		d.svc = &svc
		return d, nil
	}
	if d.svc, err = client.GetService(ctx, d.conn.ServiceID); err != nil {
		return d, err
	}
	if d.events, err = client.Events(ctx, d.conn.ID); err != nil {
		return d, err
	}
	d.meta, err = server.Meta(ctx)
	return d, err
}

func (p *summaryPage) load(ctx app.Context, outcome string) {
	ctx = p.ctx
	if p.status != loaded {
		p.status = loading
	}
	// The address may name the connection by its link name, which an
	// edit can change; once loaded, the id is used.
	id := p.id
	if p.conn.ID != "" {
		id = p.conn.ID
	}
	ctx.Async(func() {
		d, err := fetchSummary(ctx, id)
		ctx.Dispatch(func(ctx app.Context) {
			p.now = time.Now()
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.status, p.fail = loadFailed, describe(err)
				}
				return
			}
			p.status, p.fail = loaded, failure{}
			p.conn, p.svc, p.events, p.meta, p.me = *d.conn, *d.svc, d.events, d.meta, d.me
			ctx.Page().SetTitle(p.conn.Name + " · Plugboard")
			if outcome != "" {
				p.note = outcomeNotice(outcome, p.conn)
			}
		})
	})
}

// outcomeNotice words the outcome of an authorization.
func outcomeNotice(outcome string, c shared.Connection) notice {
	if outcome == "connected" {
		return notice{Kind: noticeSuccess, Text: "Connected. " + c.Name + " is ready to use."}
	}
	why := c.LastError
	if why == "" {
		why = "the provider gave no reason."
	}
	return notice{Kind: noticeError, Text: "Authorization failed: " + why}
}

// OnMount keeps the page's context.
func (p *summaryPage) OnMount(ctx app.Context) {
	p.ctx = ctx
}

// reload fetches the connection and its history again after a change.
func (p *summaryPage) reload(ctx app.Context) {
	p.load(ctx, "")
}

// Render draws the page.
func (p *summaryPage) Render() app.UI {
	title := "Connection"
	if p.status == loaded {
		title = p.conn.Name
	}
	return layout(title, p.note,
		app.If(p.status == loading, func() app.UI {
			return app.P().Body(spinner("Loading the connection…"))
		}).ElseIf(p.status == loadFailed, func() app.UI {
			return p.failedState()
		}).Else(func() app.UI {
			return p.loadedBody()
		}),
	)
}

func (p *summaryPage) failedState() app.UI {
	return app.Div().
		Class("empty").
		Body(
			noticeBox(noticeFor(p.fail)),
			app.Div().
				Class("button-row").
				Body(
					app.Button().
						Type("button").
						Class("button").
						OnClick(func(ctx app.Context, e app.Event) { p.reload(ctx) }).
						Text("Try again"),
					app.A().
						Class("button").
						Href(pathHome).
						Text("Back to connections"),
				),
		)
}

// shared reports whether the connection is another user's, shared with
// the signed-in user, who may only call it through the proxy.
func (p *summaryPage) shared() bool {
	return p.conn.SharedBy != ""
}

func (p *summaryPage) loadedBody() app.UI {
	return app.Div().Body(
		p.actionBar(),
		app.Div().
			Class("columns").
			Body(
				app.Div().Body(
					p.detailsCard(),
					app.If(p.shared(), p.sharedCard).Else(p.historyCard),
				),
				app.Div().Body(
					p.serviceCard(),
					app.If(!p.shared(), func() app.UI {
						return &sharingCard{ConnID: p.conn.ID, ConnName: p.conn.Name,
							ServiceName: p.svc.Name, OwnerID: p.me.ID,
							CanShare: p.me.Role == shared.RoleAdmin}
					}),
				),
			),
		app.If(p.confirm != "", func() app.UI { return p.confirmDialog() }),
		app.If(p.dialog, func() app.UI {
			return &authorizeDialog{
				Connection: p.conn,
				Service:    p.svc,
				OnDone:     p.authorized,
				OnCancel:   func(ctx app.Context) { p.dialog = false },
			}
		}),
	)
}
