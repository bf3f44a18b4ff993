package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// The tabs of the Add Connection page.
const (
	tabCatalog = "catalog"
	tabCustom  = "custom"
)

// newConnectionPage adds a connection in two steps: pick a service from
// the catalog or describe a custom one, then give the connection's
// details and connect.
type newConnectionPage struct {
	app.Compo

	tab     string
	service *shared.Service
	status  loadStatus
	note    notice
}

func newNewConnectionPage() *newConnectionPage {
	return &newConnectionPage{tab: tabCatalog, status: loaded}
}

// OnNav goes straight to the details when the address names a service,
// as in /connections/new?service=github.
func (p *newConnectionPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	ctx.Page().SetTitle("Add connection · Plugboard")
	id := ctx.Page().URL().Query().Get("service")
	if id == "" {
		return
	}
	p.status = loading
	ctx.Async(func() {
		svc, err := server.client().GetService(ctx, id)
		ctx.Dispatch(func(ctx app.Context) {
			p.status = loaded
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.note = notice{Kind: noticeError, Text: "The service " + id +
						" could not be loaded: " + describe(err).Message}
				}
				return
			}
			p.service = svc
		})
	})
}

// Render draws the current step.
func (p *newConnectionPage) Render() app.UI {
	return layout("Add connection", p.note,
		app.Ol().
			Class("steps").
			Aria("label", "Steps").
			Body(
				step("1. Choose a service", p.service == nil),
				step("2. Connection details", p.service != nil),
			),
		app.If(p.status == loading, func() app.UI {
			return app.P().Body(spinner("Loading the service…"))
		}).ElseIf(p.service == nil, func() app.UI {
			return p.chooser()
		}).Else(func() app.UI {
			return &connectionForm{
				Service: *p.service,
				OnBack:  p.back,
			}
		}),
	)
}

func step(label string, current bool) app.UI {
	li := app.Li().Text(label)
	if current {
		return li.Class("current").Aria("current", "step")
	}
	return li
}

// pick moves to the details of svc.
func (p *newConnectionPage) pick(ctx app.Context, svc shared.Service) {
	p.service = &svc
	p.note = notice{}
}

// saved moves to the details of a custom service just created.
func (p *newConnectionPage) saved(ctx app.Context, svc shared.Service) {
	p.pick(ctx, svc)
	p.note = notice{Kind: noticeSuccess, Text: svc.Name + " was added to your services."}
}

func (p *newConnectionPage) back(ctx app.Context) {
	p.service = nil
	p.note = notice{}
	u := *ctx.Page().URL()
	u.RawQuery = ""
	ctx.Page().ReplaceURL(&u)
}

// chooser is the tablist with its two panels.
func (p *newConnectionPage) chooser() app.UI {
	return app.Div().
		Class("tabs").
		Body(
			app.Div().
				Role("tablist").
				Aria("label", "Where the service comes from").
				OnKeyDown(p.tabKey).
				Body(
					p.tabButton(tabCatalog, "Pick Your Service"),
					p.tabButton(tabCustom, "Custom Service"),
				),
			app.Div().
				ID("panel-"+p.tab).
				Class("tabpanel").
				Role("tabpanel").
				Aria("labelledby", "tab-"+p.tab).
				TabIndex(0).
				Body(
					app.If(p.tab == tabCatalog, func() app.UI {
						return &catalogPicker{OnPick: p.pick}
					}).Else(func() app.UI {
						return &serviceEditor{OnSaved: p.saved}
					}),
				),
		)
}

func (p *newConnectionPage) tabButton(tab, label string) app.UI {
	selected := p.tab == tab
	tabIndex := -1
	if selected {
		tabIndex = 0
	}
	return app.Button().
		Type("button").
		ID("tab-"+tab).
		Class("tab").
		Role("tab").
		Aria("selected", selected).
		Aria("controls", "panel-"+tab).
		TabIndex(tabIndex).
		OnClick(func(ctx app.Context, e app.Event) { p.tab = tab }, app.EventScope(tab)).
		Text(label)
}

// tabKey moves between tabs with the arrow keys, Home and End, as the
// WAI-ARIA tabs pattern has it.
func (p *newConnectionPage) tabKey(ctx app.Context, e app.Event) {
	tabs := []string{tabCatalog, tabCustom}
	i := 0
	for j, t := range tabs {
		if t == p.tab {
			i = j
		}
	}
	switch e.Get("key").String() {
	case "ArrowRight":
		i = (i + 1) % len(tabs)
	case "ArrowLeft":
		i = (i + len(tabs) - 1) % len(tabs)
	case "Home":
		i = 0
	case "End":
		i = len(tabs) - 1
	default:
		return
	}
	e.PreventDefault()
	p.tab = tabs[i]
	focusSoon("tab-" + tabs[i])
}
