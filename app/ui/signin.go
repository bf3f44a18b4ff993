package ui

import (
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared/api"
)

// signInPage starts a browser session, from the one-time sign-in link
// (its token travels in the address's fragment, which never reaches a
// server log) or from an API key the person pastes.
type signInPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	apiKey string
	busy   bool
	fail   failure
}

func newSignInPage() *signInPage { return &signInPage{} }

// OnMount keeps the page's context.
func (p *signInPage) OnMount(ctx app.Context) {
	p.ctx = ctx
}

// OnNav signs in at once when the address carries a sign-in token.
func (p *signInPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	ctx.Page().SetTitle("Sign in · Plugboard")
	token := loginToken(app.Window().Get("location").Get("hash").String())
	if token == "" {
		return
	}
	// The token works once: take it out of the address and the history.
	u := *ctx.Page().URL()
	u.Fragment = ""
	ctx.Page().ReplaceURL(&u)
	p.signIn(ctx, api.SignInRequest{LoginToken: token})
}

// loginToken returns the token of a "#token=..." fragment, or "".
func loginToken(hash string) string {
	v, err := url.ParseQuery(strings.TrimPrefix(hash, "#"))
	if err != nil {
		return ""
	}
	return v.Get("token")
}

// Render draws the page.
func (p *signInPage) Render() app.UI {
	return app.Div().
		Class("page signin").
		Body(
			app.Main().
				ID("main").
				Class("main narrow").
				Body(
					app.Div().
						Class("brand brand-large").
						Body(
							app.Img().
								Src("/web/icons/app.svg").
								Alt("").
								Width(48).
								Height(48),
							app.Span().Text("Plugboard"),
						),
					app.H1().Text("Sign in"),
					app.P().Text("Open the sign-in link that Plugboard printed when it first "+
						"started, or paste an API key."),
					liveRegion(p.notice()),
					p.form(),
				),
		)
}

func (p *signInPage) notice() notice {
	if p.fail.Message != "" {
		return noticeFor(p.fail)
	}
	return notice{}
}

func (p *signInPage) form() app.UI {
	return app.Form().
		Class("card").
		OnSubmit(p.submit).
		Body(
			app.Div().
				Class("field").
				Body(
					app.Label().
						For("api-key").
						Text("API key"),
					app.Input().
						ID("api-key").
						Type("password").
						Required(true).
						Attr("autocomplete", "current-password").
						Value(p.apiKey).
						Disabled(p.busy).
						OnInput(func(ctx app.Context, e app.Event) {
							p.apiKey = ctx.JSSrc().Get("value").String()
						}),
				),
			app.Button().
				Type("submit").
				Class("button button-primary").
				Disabled(p.busy).
				Body(p.submitLabel()),
		)
}

func (p *signInPage) submitLabel() app.UI {
	if p.busy {
		return spinner("Signing in…")
	}
	return app.Text("Sign in")
}

func (p *signInPage) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	key := strings.TrimSpace(p.apiKey)
	if key == "" {
		p.fail = failure{Message: "Paste an API key, or open the sign-in link."}
		return
	}
	p.signIn(ctx, api.SignInRequest{APIKey: key})
}

// signIn posts the credential; the server answers with the session
// cookie and the CSRF token, which the client keeps.
func (p *signInPage) signIn(ctx app.Context, in api.SignInRequest) {
	ctx = p.ctx
	p.busy, p.fail = true, failure{}
	ctx.Async(func() {
		s, err := server.client().SignIn(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			if err != nil {
				p.fail = signInFailure(err, in)
				return
			}
			server.setSession(s)
			p.apiKey = ""
			ctx.Navigate(afterSignIn(ctx.Page().URL().Query().Get("next")))
		})
	})
}

// signInFailure words a refused sign-in.
func signInFailure(err error, in api.SignInRequest) failure {
	f := describe(err)
	if !api.IsUnauthorized(err) {
		return f
	}
	if in.LoginToken != "" {
		f.Message = "This sign-in link was already used or has expired. Paste an API key " +
			"instead, or restart Plugboard to get a new link."
	} else {
		f.Message = "This API key was not accepted. Check that it was pasted whole."
	}
	return f
}
