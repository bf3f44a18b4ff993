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
// not be used. The code comes from the address, which anyone can write, so
// only known codes are explained and nothing from it is shown as is.
func oauthFailureText(code string) string {
	switch code {
	case "state_expired":
		return "The authorization took too long: the request that Plugboard sent to the " +
			"provider expired before the provider sent you back. Start it again."
	case "state_unknown", "state_missing":
		return "Plugboard did not recognise the provider's answer. It may have been used " +
			"already (the page was reloaded), or belong to an authorization started elsewhere. " +
			"Start it again from the connection."
	case "other_browser":
		return "This authorization was started in another browser, or the browser lost " +
			"the cookie that ties it to you. Start it again here, from the connection."
	case "connection_gone":
		return "The connection was deleted while you were at the provider."
	case "internal_error":
		return "Plugboard could not finish the authorization because of an error on the " +
			"server; it has been logged. Try again."
	}
	return "The provider sent you back, but Plugboard could not match its answer to a " +
		"connection. Start the authorization again from the connection."
}
