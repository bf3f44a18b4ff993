package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// auditRow draws one entry of the audit trail.
func auditRow(e shared.AuditEntry) app.UI {
	failed := e.Outcome == shared.OutcomeFailed
	return app.Tr().
		Class(classIf(failed, "audit-failed")).
		Body(
			app.Td().
				Class("cell-nowrap").
				DataSet("label", "Time").
				Body(app.Time().
					DateTime(e.Time.UTC().Format("2006-01-02T15:04:05Z")).
					Text(formatTime(e.Time, "—"))),
			app.Td().
				DataSet("label", "Actor").
				Body(
					app.Text(orDash(e.ActorName)),
					app.If(viaText(e.Via) != "", func() app.UI {
						return app.Span().
							Class("cell-note").
							Text(viaText(e.Via))
					}),
				),
			app.Th().
				Scope("row").
				DataSet("label", "Action").
				Text(auditLabel(e.Action)),
			app.Td().
				DataSet("label", "Target").
				Text(targetText(e)),
			app.Td().
				DataSet("label", "Outcome").
				Body(outcomeBadge(e.Outcome)),
			app.Td().
				Class("cell-nowrap").
				DataSet("label", "IP").
				Body(app.If(e.IP != "", func() app.UI { return app.Code().Text(e.IP) }).
					Else(func() app.UI { return app.Text("—") })),
			app.Td().
				DataSet("label", "Detail").
				Class("cell-detail").
				Text(orDash(e.Detail)),
		)
}

// viaText says how the actor was signed in, in words, or "".
func viaText(via string) string {
	switch {
	case via == "session":
		return "in the browser"
	case via == "password":
		return "with a password"
	case via == "sign_in_link":
		return "with the sign-in link"
	case via == "oauth_callback":
		return "back from the provider"
	case strings.HasPrefix(via, "api_key"):
		return "with an API key"
	}
	return ""
}

// targetTypes name the kinds of things an entry acts on.
var targetTypes = map[string]string{
	"user":       "User",
	"api_key":    "API key",
	"service":    "Service",
	"connection": "Connection",
	"session":    "Session",
}

// targetText names what an entry acted on: its kind and its name (or id).
func targetText(e shared.AuditEntry) string {
	name := e.TargetName
	if name == "" {
		name = e.TargetID
	}
	kind, ok := targetTypes[e.TargetType]
	if !ok {
		kind = strings.ReplaceAll(e.TargetType, "_", " ")
	}
	return orDash(strings.TrimSpace(kind + " " + name))
}

// outcomeBadge shows how an entry ended, in a word and a color.
func outcomeBadge(o shared.Outcome) app.UI {
	if o == shared.OutcomeFailed {
		return app.Span().
			Class("badge badge-revoked").
			Text("Failed")
	}
	return app.Span().
		Class("badge badge-connected").
		Text("OK")
}
