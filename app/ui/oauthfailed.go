package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// oauthFailedPage explains an authorization that came back without a
// flow Plugboard knows, so no connection could be told about it.
type oauthFailedPage struct {
	app.Compo

	code string
}

func newOAuthFailedPage() *oauthFailedPage { return &oauthFailedPage{} }

// OnNav reads the code of the failure.
func (p *oauthFailedPage) OnNav(ctx app.Context) {
	p.code = ctx.Page().URL().Query().Get("code")
	ctx.Page().SetTitle("Authorization not completed · Plugboard")
}

// Render draws the explanation.
func (p *oauthFailedPage) Render() app.UI {
	return layout("Authorization not completed", notice{},
		app.Div().
			Class("card").
			Body(
				app.P().Text(oauthFailureText(p.code)),
				app.P().Text("Nothing was changed. Start the connection again from the list; "+
					"it only takes a moment."),
				app.Div().
					Class("button-row").
					Body(
						app.A().
							Class("button button-primary").
							Href(pathHome).
							Text("Back to connections"),
						app.A().
							Class("button").
							Href(pathNewConnection).
							Text("Add a connection"),
					),
			),
	)
}

// oauthFailureText says in plain words why the provider's answer could
// not be used.
func oauthFailureText(code string) string {
	switch code {
	case "state_expired":
		return "The authorization took too long: the request that Plugboard sent to the " +
			"provider expired before the provider sent you back."
	case "state_used":
		return "This authorization was already completed. The page may have been reloaded, " +
			"or the provider sent you back twice."
	case "state_unknown", "state_missing", "invalid_state":
		return "Plugboard did not recognise the provider's answer. It may belong to " +
			"another browser or to an authorization started before Plugboard restarted."
	}
	return "The provider sent you back, but Plugboard could not match its answer to a " +
		"connection (" + codeOrUnknown(code) + ")."
}

func codeOrUnknown(code string) string {
	if code == "" {
		return "no reason given"
	}
	return "reason: " + code
}
