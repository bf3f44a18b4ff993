package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// detailsCard lists the connection's facts, or its edit form.
func (p *summaryPage) detailsCard() app.UI {
	if p.editing {
		return p.editCard()
	}
	c := p.conn
	settings := p.configParts()
	return app.Section().
		Class("card").
		Aria("labelledby", "details-title").
		Body(
			app.Div().
				Class("card-head").
				Body(
					app.H2().
						ID("details-title").
						Text("Connection"),
					app.If(!p.shared(), func() app.UI {
						return app.Button().
							Type("button").
							Class("button button-quiet").
							OnClick(p.startEdit).
							Text("Edit")
					}),
				),
			app.Dl().
				Class("facts").
				Body(
					fact("Link name", app.Code().Text(c.LinkName)),
					fact("Status", statusBadge(c.Status)),
					app.If(p.shared(), func() app.UI {
						return fact("Shared by", app.Text(c.SharedBy))
					}),
					app.If(c.LastError != "", func() app.UI {
						return fact("Last error", app.Span().
							Class("error-text").
							Text(c.LastError))
					}),
					fact("Scopes requested", scopeList(c.Scopes)),
					fact("Scopes granted", scopeList(c.GrantedScopes)),
					app.If(len(settings) > 0, func() app.UI {
						return fact("Settings", app.Text(strings.Join(settings, "; ")))
					}),
					fact("Verified", app.Text(p.verifiedText())),
					app.If(!c.TokenExpiresAt.IsZero(), func() app.UI {
						return fact("Token expires", app.Text(formatTime(c.TokenExpiresAt, "")+
							" ("+relativeTime(p.now, c.TokenExpiresAt)+")"))
					}),
					fact("Last used", app.Text(lastUsedText(p.now, c))),
					fact("Connected", app.Text(formatTime(c.ConnectedAt, "Never"))),
					fact("Created", app.Text(formatTime(c.CreatedAt, "—"))),
				),
			app.If(!p.shared() && p.svc.AuthType == shared.AuthOAuth2 && p.meta != nil, func() app.UI {
				return &copyField{ID: "callback-url", Label: "Callback URL (register it at " +
					p.svc.Name + ")", Value: p.meta.CallbackURL}
			}),
		)
}

// fact is one term and its value in a description list.
func fact(term string, value app.UI) app.UI {
	return app.Div().Body(
		app.Dt().Text(term),
		app.Dd().Body(value),
	)
}

func scopeList(scopes []string) app.UI {
	if len(scopes) == 0 {
		return app.Text("None")
	}
	return app.Ul().
		Class("inline-list").
		Body(app.Range(scopes).Slice(func(i int) app.UI {
			return app.Li().Body(app.Code().Text(scopes[i]))
		}))
}

// configParts lists the connection's settings, each by its display
// name: those given at creation and the non-secret values an
// authorization keeps, such as the user name of Basic Auth, in the
// service's order, then any the service no longer describes.
func (p *summaryPage) configParts() []string {
	var parts []string
	for _, prm := range p.svc.Params {
		if v, ok := p.conn.Config[prm.Name]; ok && !prm.Secret {
			name := prm.DisplayName
			if name == "" {
				name = prm.Name
			}
			parts = append(parts, name+": "+v)
		}
	}
	var unknown []string
	for k, v := range p.conn.Config {
		if _, known := p.svc.Param(k); !known {
			unknown = append(unknown, k+": "+v)
		}
	}
	slices.Sort(unknown)
	return append(parts, unknown...)
}

// verifiedText says whether the service accepted the connection's
// credentials when last asked. Whether another owner's service can be
// asked at all is not known here.
func (p *summaryPage) verifiedText() string {
	if p.shared() && !p.conn.Verified {
		return "Not verified"
	}
	return verifiedText(p.conn, p.svc)
}

// verifiedText says whether the service accepted the connection's
// credentials when last asked, or that it cannot be asked.
func verifiedText(c shared.Connection, svc shared.Service) string {
	if !c.Verified && svc.Verify == nil {
		return "Not checked: the service has no verification request"
	}
	if !c.Verified {
		return "No"
	}
	if c.VerifiedAt.IsZero() {
		return "Yes"
	}
	return "Yes, " + formatTime(c.VerifiedAt, "")
}

// historyCard lists the connection's events, newest first.
func (p *summaryPage) historyCard() app.UI {
	return app.Section().
		Class("card").
		Aria("labelledby", "history-title").
		Body(
			app.H2().
				ID("history-title").
				Text("History"),
			app.If(len(p.events) == 0, func() app.UI {
				return app.P().Text("Nothing happened yet.")
			}).Else(func() app.UI {
				return app.Ol().
					Class("history").
					Body(app.Range(p.events).Slice(func(i int) app.UI {
						return eventItem(p.events[i])
					}))
			}),
		)
}

func eventItem(e shared.Event) app.UI {
	cls := "event"
	outcome := ""
	label := eventLabel(e.Type)
	if e.Outcome == shared.OutcomeFailed {
		cls += " event-failed"
		if !strings.Contains(label, "failed") {
			outcome = " (failed)"
		}
	}
	return app.Li().
		Class(cls).
		Body(
			app.Time().
				DateTime(e.Time.UTC().Format("2006-01-02T15:04:05Z")).
				Text(formatTime(e.Time, "")),
			app.Strong().Text(label+outcome),
			app.If(e.Detail != "", func() app.UI {
				return app.Span().
					Class("event-detail").
					Text(e.Detail)
			}),
		)
}

// sharedCard tells a user a connection was shared with what they may do
// with it, in place of its history, which is its owner's.
func (p *summaryPage) sharedCard() app.UI {
	c := p.conn
	return app.Section().
		Class("card").
		Aria("labelledby", "shared-title").
		Body(
			app.H2().
				ID("shared-title").
				Text("Shared with you"),
			app.P().Text(c.SharedBy+" shared this connection with you. Your code can call "+
				p.svc.Name+" through it, with "+c.SharedBy+"'s access, at"),
			app.P().Body(app.Code().Text("/api/v1/connections/"+c.LinkName+"/proxy/…")),
			app.P().
				Class("hint").
				Text("Your own connections come first: should one of yours have the link "+
					"name "+c.LinkName+" too, use this one's id, "+c.ID+", in its place."),
			app.P().
				Class("hint").
				Text("Plugboard never gives you its stored tokens or secrets. Only "+
					c.SharedBy+" can see its history, change, authorize, revoke or delete it."),
		)
}

// serviceCard shows the service, editable when it is a custom one.
func (p *summaryPage) serviceCard() app.UI {
	svc := p.svc
	if p.editingService {
		return app.Section().
			Class("card").
			Aria("label", "Edit service").
			Body(
				app.H2().Text("Edit "+svc.Name),
				&serviceEditor{
					Existing: &svc,
					OnSaved:  p.serviceSaved,
					OnCancel: func(ctx app.Context) { p.editingService = false },
				},
			)
	}
	return app.Section().
		Class("card").
		Aria("labelledby", "service-title").
		Body(
			app.Div().
				Class("card-head").
				Body(
					app.Div().
						Class("service-header").
						Body(
							serviceIcon(svc.Icon, svc.Name),
							app.H2().
								ID("service-title").
								Text(svc.Name),
						),
					app.If(!svc.BuiltIn && !p.shared(), func() app.UI {
						return app.Button().
							Type("button").
							Class("button button-quiet").
							OnClick(func(ctx app.Context, e app.Event) { p.editingService = true }).
							Text("Edit service")
					}),
				),
			app.Dl().
				Class("facts").
				Body(p.serviceFacts()...),
			app.If(svc.BuiltIn && svc.AuthType == shared.AuthOAuth2 && !p.shared(), func() app.UI {
				return &clientEditor{Service: svc, OnSaved: p.serviceSaved}
			}),
		)
}

// serviceFacts lists what the page knows of the service. Of another
// owner's service it knows only the summary that came with the shared
// connection: no client settings, endpoints or parameters.
func (p *summaryPage) serviceFacts() []app.UI {
	svc := p.svc
	facts := []app.UI{
		fact("Authentication", app.Text(orDash(svc.AuthType.Label()))),
		fact("Kind", app.Text(p.serviceKind())),
	}
	if svc.Description != "" {
		facts = append(facts, fact("About", app.Text(svc.Description)))
	}
	if svc.APIBaseURL != "" {
		facts = append(facts, fact("API base URL", app.Code().Text(svc.APIBaseURL)))
	}
	if svc.AuthType == shared.AuthOAuth2 && !p.shared() {
		facts = append(facts,
			fact("Authorization URL", app.Code().Text(orDash(svc.AuthorizationURL))),
			fact("Token URL", app.Code().Text(orDash(svc.TokenURL))),
			fact("Client ID", app.Text(orDash(svc.ClientID))),
			fact("Client secret", app.Text(setText(svc.ClientSecretSet))),
		)
	}
	if len(svc.Params) > 0 {
		facts = append(facts, fact("Parameters", paramList(svc.Params)))
	}
	if svc.DocsURL != "" {
		facts = append(facts, fact("Documentation", app.A().
			Href(svc.DocsURL).
			Attr("rel", "noopener").
			Attr("target", "_blank").
			Text(svc.DocsURL)))
	}
	return facts
}

// serviceKind says where the service's definition comes from.
func (p *summaryPage) serviceKind() string {
	switch {
	case p.svc.BuiltIn:
		return "From the catalog"
	case p.shared():
		return "Custom service of " + p.conn.SharedBy
	}
	return "Custom service"
}

func paramList(params []shared.Param) app.UI {
	return app.Ul().Body(app.Range(params).Slice(func(i int) app.UI {
		prm := params[i]
		text := prm.DisplayName + ": " + paramUse(prm)
		if prm.Secret {
			text += " (secret)"
		}
		return app.Li().Text(text)
	}))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func setText(set bool) string {
	if set {
		return "Stored"
	}
	return "Not set"
}

func (p *summaryPage) serviceSaved(ctx app.Context, svc shared.Service) {
	p.svc = svc
	p.editingService = false
	p.note = notice{Kind: noticeSuccess, Text: svc.Name + " was saved."}
}

// paramUse says where a parameter's value goes.
func paramUse(p shared.Param) string {
	switch p.In {
	case shared.InUsername:
		return "the Basic Auth user name"
	case shared.InPassword:
		return "the Basic Auth password"
	case shared.InHeader:
		return "sent in the " + p.Name + " header"
	case shared.InQuery:
		return "sent as the " + p.Name + " query parameter"
	case shared.InPlaceholder:
		return "fills {" + p.Name + "} in the URLs"
	}
	return string(p.In)
}
