package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// catalogPicker shows the services as a searchable grid with category
// filters, and hands the one picked to OnPick.
type catalogPicker struct {
	app.Compo

	OnPick func(ctx app.Context, svc shared.Service)
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	status   loadStatus
	fail     failure
	services []shared.Service
	query    string
	category string
}

// OnMount loads the catalog.
func (c *catalogPicker) OnMount(ctx app.Context) {
	c.ctx = ctx
	c.load(ctx)
}

func (c *catalogPicker) load(ctx app.Context) {
	ctx = c.ctx
	c.status = loading
	ctx.Async(func() {
		svcs, err := server.client().ListServices(ctx, api.ServiceQuery{})
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					c.status, c.fail = loadFailed, describe(err)
				}
				return
			}
			c.status, c.services = loaded, svcs
		})
	})
}

// Render draws the search box, the filters and the grid.
func (c *catalogPicker) Render() app.UI {
	return app.Div().
		Class("catalog").
		Body(
			app.Div().
				Class("field search").
				Body(
					app.Label().
						For("catalog-search").
						Text("Search services"),
					app.Input().
						ID("catalog-search").
						Type("search").
						Placeholder("GitHub, Slack, …").
						Value(c.query).
						OnInput(func(ctx app.Context, e app.Event) {
							c.query = ctx.JSSrc().Get("value").String()
						}),
				),
			c.filters(),
			c.grid(),
		)
}

// filters are toggle buttons, one per category, plus All.
func (c *catalogPicker) filters() app.UI {
	cats := append([]string{""}, categories(c.services)...)
	return app.Div().
		Class("filters").
		Role("group").
		Aria("label", "Category").
		Body(
			app.Range(cats).Slice(func(i int) app.UI {
				cat := cats[i]
				label := cat
				if cat == "" {
					label = "All"
				}
				return app.Button().
					Type("button").
					Class("chip").
					Aria("pressed", c.category == cat).
					OnClick(func(ctx app.Context, e app.Event) { c.category = cat },
						app.EventScope("category", cat)).
					Text(label)
			}),
		)
}

func (c *catalogPicker) grid() app.UI {
	switch c.status {
	case loading:
		return app.P().Body(spinner("Loading services…"))
	case loadFailed:
		return app.Div().
			Body(
				noticeBox(noticeFor(c.fail)),
				app.Button().
					Type("button").
					Class("button").
					OnClick(func(ctx app.Context, e app.Event) { c.load(ctx) }).
					Text("Try again"),
			)
	}
	shown := filterServices(c.services, c.query, c.category)
	if len(shown) == 0 {
		return app.P().
			Class("empty").
			Text("No service matches. Try the Custom Service tab to describe your own.")
	}
	return app.Ul().
		Class("grid").
		Body(
			app.Range(shown).Slice(func(i int) app.UI {
				return c.card(shown[i])
			}),
		)
}

// card is one service, a button that picks it.
func (c *catalogPicker) card(svc shared.Service) app.UI {
	return app.Li().Body(
		app.Button().
			Type("button").
			Class("service-card").
			OnClick(func(ctx app.Context, e app.Event) { c.OnPick(ctx, svc) },
				app.EventScope("pick", svc.ID)).
			Body(
				serviceIcon(svc.Icon, svc.Name),
				app.Span().
					Class("service-card-name").
					Text(svc.Name),
				app.Span().
					Class("auth-type").
					Text(svc.AuthType.Label()),
				app.If(svc.Description != "", func() app.UI {
					return app.Span().
						Class("service-card-text").
						Text(svc.Description)
				}),
			),
	)
}

// categories lists the services' categories, sorted, each once.
func categories(svcs []shared.Service) []string {
	var cats []string
	for _, s := range svcs {
		for _, c := range s.Categories {
			if !slices.Contains(cats, c) {
				cats = append(cats, c)
			}
		}
	}
	slices.Sort(cats)
	return cats
}

// filterServices returns the services in category (any when empty)
// whose name, id, description or categories contain query.
func filterServices(svcs []shared.Service, query, category string) []shared.Service {
	q := strings.ToLower(strings.TrimSpace(query))
	var out []shared.Service
	for _, s := range svcs {
		if category != "" && !slices.Contains(s.Categories, category) {
			continue
		}
		hay := strings.ToLower(s.Name + " " + s.ID + " " + s.Description + " " +
			strings.Join(s.Categories, " ") + " " + s.AuthType.Label())
		if q == "" || strings.Contains(hay, q) {
			out = append(out, s)
		}
	}
	return out
}
