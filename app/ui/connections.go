package ui

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// connectionsPage lists every connection, with a search box and, per
// row, the actions that fit its status.
type connectionsPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	status   loadStatus
	fail     failure
	conns    []shared.Connection
	services map[string]shared.Service
	query    string
	now      time.Time

	// offline is set while the list shown is the one kept from an
	// earlier visit; it is then read-only.
	offline bool
	savedAt time.Time

	note      notice
	busyID    string
	confirm   *rowConfirm
	authorize *shared.Connection
}

// rowConfirm is a question about one connection that waits for an answer.
type rowConfirm struct {
	Action string // "revoke" or "delete"
	Conn   shared.Connection
	Busy   bool
	Error  string
}

func newConnectionsPage() *connectionsPage { return &connectionsPage{} }

// OnMount keeps the page's context.
func (p *connectionsPage) OnMount(ctx app.Context) {
	p.ctx = ctx
}

// OnNav loads the list.
func (p *connectionsPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	ctx.Page().SetTitle("Connections · Plugboard")
	p.load(ctx)
}

// listData is what the page loads.
type listData struct {
	conns    []shared.Connection
	services map[string]shared.Service
}

// fetchList loads the connections and the services they use.
func fetchList(ctx context.Context) (listData, error) {
	client := server.client()
	conns, err := client.ListConnections(ctx, api.ConnectionQuery{})
	if err != nil {
		return listData{}, err
	}
	svcs, err := client.ListServices(ctx, api.ServiceQuery{})
	if err != nil {
		return listData{}, err
	}
	d := listData{conns: conns, services: make(map[string]shared.Service, len(svcs))}
	for _, s := range svcs {
		d.services[s.ID] = s
	}
	return d, nil
}

func (p *connectionsPage) load(ctx app.Context) {
	ctx = p.ctx
	if p.status != loaded {
		p.status = loading
	}
	ctx.Async(func() {
		d, err := fetchList(ctx)
		ctx.Dispatch(func(ctx app.Context) { p.loaded(ctx, d, err) })
	})
}

// loaded shows what was loaded, or the kept list when the server cannot
// be reached.
func (p *connectionsPage) loaded(ctx app.Context, d listData, err error) {
	p.now = time.Now()
	if err == nil {
		p.status, p.offline, p.fail = loaded, false, failure{}
		p.conns, p.services = d.conns, d.services
		saveList(ctx, newCachedList(d.conns, d.services, p.now))
		return
	}
	if signInIfNeeded(ctx, err) {
		return
	}
	p.fail = describe(err)
	if l, ok := loadList(ctx); ok && p.fail.Offline {
		p.status, p.offline, p.savedAt = loaded, true, l.SavedAt
		p.conns, p.services = l.Connections, l.serviceMap()
		return
	}
	p.status = loadFailed
}

// Render draws the page.
func (p *connectionsPage) Render() app.UI {
	return layout("Connections", p.pageNotice(),
		p.toolbar(),
		p.body(),
		app.If(p.confirm != nil, func() app.UI { return p.confirmDialog() }),
		app.If(p.authorize != nil, func() app.UI { return p.authorizeDialog() }),
	)
}

// pageNotice is the notice of the moment; the offline one comes first.
func (p *connectionsPage) pageNotice() notice {
	if p.offline {
		return notice{Kind: noticeInfo, Text: "You are offline — showing the last loaded list (from " +
			formatTime(p.savedAt, "earlier") + "). It is read-only until Plugboard can be reached."}
	}
	return p.note
}

func (p *connectionsPage) toolbar() app.UI {
	return app.Div().
		Class("toolbar").
		Body(
			app.Div().
				Class("field search").
				Body(
					app.Label().
						For("search").
						Text("Search connections"),
					app.Input().
						ID("search").
						Type("search").
						Placeholder("Name, link name or service").
						Value(p.query).
						OnInput(func(ctx app.Context, e app.Event) {
							p.query = ctx.JSSrc().Get("value").String()
						}),
				),
			app.If(p.offline, func() app.UI {
				return app.Button().
					Type("button").
					Class("button").
					OnClick(func(ctx app.Context, e app.Event) { p.load(ctx) }).
					Text("Try again")
			}).Else(func() app.UI {
				return app.A().
					Class("button button-primary").
					Href(pathNewConnection).
					Text("Add connection")
			}),
		)
}

func (p *connectionsPage) body() app.UI {
	switch {
	case p.status == loading:
		return app.P().Body(spinner("Loading connections…"))
	case p.status == loadFailed:
		return p.failedState()
	case len(p.conns) == 0:
		return emptyState()
	}
	shown := filterConnections(p.conns, p.services, p.query)
	if len(shown) == 0 {
		return app.P().
			Class("empty").
			Text("No connection matches “" + p.query + "”.")
	}
	return app.Ul().
		Class("rows").
		Aria("label", "Connections").
		Body(
			app.Range(shown).Slice(func(i int) app.UI {
				return p.row(shown[i])
			}),
		)
}

func (p *connectionsPage) failedState() app.UI {
	return app.Div().
		Class("empty").
		Body(
			app.P().
				Class("notice notice-error").
				Body(
					app.Strong().Text("Error:"),
					app.Text(" The connections could not be loaded. "+p.fail.Message),
				),
			app.Button().
				Type("button").
				Class("button").
				OnClick(func(ctx app.Context, e app.Event) { p.load(ctx) }).
				Text("Try again"),
		)
}

// emptyState leads a person without connections to adding one.
func emptyState() app.UI {
	return app.Div().
		Class("empty").
		Body(
			app.H2().Text("No connections yet"),
			app.P().Text("A connection lets your code call a service — GitHub, Slack, "+
				"your own API — without handling its credentials."),
			app.A().
				Class("button button-primary").
				Href(pathNewConnection).
				Text("Add your first connection"),
		)
}

// filterConnections returns the connections whose name, link name,
// service or status contains query, ignoring case.
func filterConnections(conns []shared.Connection, svcs map[string]shared.Service, query string) []shared.Connection {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return conns
	}
	var out []shared.Connection
	for _, c := range conns {
		hay := strings.ToLower(strings.Join([]string{
			c.Name, c.LinkName, c.ServiceID, serviceName(c, svcs), c.Status.Label(), c.SharedBy,
		}, " "))
		if strings.Contains(hay, q) {
			out = append(out, c)
		}
	}
	return out
}
