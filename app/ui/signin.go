package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// signInPage starts a browser session: with a username and password, or,
// as a second choice, with an API key the person pastes, or at once from
// the one-time sign-in link (its token travels in the address's
// fragment, which never reaches a server log).
type signInPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	// withKey is set while the API-key form shows instead of the
	// password form.
	withKey  bool
	username string
	password string
	apiKey   string
	busy     bool
	fail     failure
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
					liveRegion(p.notice()),
					app.If(p.withKey, p.keyForm).Else(p.passwordForm),
					p.otherWay(),
					app.P().
						Class("hint signin-first").
						Text("First time here? Open the sign-in link that Plugboard printed "+
							"when it started (or that `plugboard signin-link <username>` prints), "+
							"then set a password on your account page."),
				),
		)
}

func (p *signInPage) notice() notice {
	if p.fail.Message != "" {
		return noticeFor(p.fail)
	}
	return notice{}
}

// passwordForm asks for the username and the password.
func (p *signInPage) passwordForm() app.UI {
	return app.Form().
		Class("card").
		Attr("novalidate", true).
		Aria("label", "Sign in with your username and password").
		OnSubmit(p.submitPassword).
		Body(
			textField(textProps{
				ID: "username", Label: "Username", Value: p.username, Required: true,
				Autocomplete: "username", Error: p.fail.Fields["username"], Disabled: p.busy,
				OnInput: func(ctx app.Context, v string) { p.username = v },
			}),
			textField(textProps{
				ID: "password", Label: "Password", Type: "password", Value: p.password,
				Required: true, Autocomplete: "current-password",
				Error: p.fail.Fields["password"], Disabled: p.busy,
				OnInput: func(ctx app.Context, v string) { p.password = v },
			}),
			p.submitButton(),
		)
}

// keyForm asks for an API key.
func (p *signInPage) keyForm() app.UI {
	return app.Form().
		Class("card").
		Attr("novalidate", true).
		Aria("label", "Sign in with an API key").
		OnSubmit(p.submitKey).
		Body(
			textField(textProps{
				ID: "api-key", Label: "API key", Type: "password", Value: p.apiKey,
				Required: true, Autocomplete: "off",
				Hint:  "A key from the API keys page, starting with pb_.",
				Error: p.fail.Fields["api_key"], Disabled: p.busy,
				OnInput: func(ctx app.Context, v string) { p.apiKey = v },
			}),
			p.submitButton(),
		)
}

func (p *signInPage) submitButton() app.UI {
	return app.Button().
		Type("submit").
		Class("button button-primary").
		Disabled(p.busy).
		Body(p.submitLabel())
}

func (p *signInPage) submitLabel() app.UI {
	if p.busy {
		return spinner("Signing in…")
	}
	return app.Text("Sign in")
}

// otherWay switches between the password form and the API-key form.
func (p *signInPage) otherWay() app.UI {
	label, focus := "Sign in with an API key instead", "api-key"
	if p.withKey {
		label, focus = "Sign in with a username and password instead", "username"
	}
	return app.P().
		Class("signin-alt").
		Body(
			app.Button().
				Type("button").
				Class("link-button").
				Disabled(p.busy).
				OnClick(func(ctx app.Context, e app.Event) {
					p.withKey = !p.withKey
					p.fail = failure{}
					focusSoon(focus)
				}).
				Text(label),
		)
}

func (p *signInPage) submitPassword(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if p.busy {
		return
	}
	in := api.SignInRequest{Username: strings.TrimSpace(p.username), Password: p.password}
	fields := map[string]string{}
	if in.Username == "" {
		fields["username"] = "is required"
	}
	if in.Password == "" {
		fields["password"] = "is required"
	}
	if len(fields) > 0 {
		p.fail = failure{Message: "Enter your username and password.", Fields: fields}
		focusSoon(firstEmpty(fields, "username", "password"))
		return
	}
	p.signIn(ctx, in)
}

func (p *signInPage) submitKey(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if p.busy {
		return
	}
	key := strings.TrimSpace(p.apiKey)
	if key == "" {
		p.fail = failure{Message: "Paste an API key, or open the sign-in link.",
			Fields: map[string]string{"api_key": "is required"}}
		focusSoon("api-key")
		return
	}
	p.signIn(ctx, api.SignInRequest{APIKey: key})
}

// firstEmpty returns the first of ids that fields names, in order.
func firstEmpty(fields map[string]string, ids ...string) string {
	for _, id := range ids {
		if _, ok := fields[id]; ok {
			return id
		}
	}
	return ""
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
				p.refused(err, in)
				return
			}
			server.setSession(s)
			forgetList(ctx)
			p.apiKey, p.password = "", ""
			ctx.Navigate(afterSignIn(ctx.Page().URL().Query().Get("next")))
		})
	})
}

// refused shows why a sign-in failed. A wrong password is cleared and
// gets the focus, so the person can type it again at once.
func (p *signInPage) refused(err error, in api.SignInRequest) {
	p.fail = signInFailure(err, in)
	if in.Password == "" || !api.IsUnauthorized(err) {
		return
	}
	p.password = ""
	clearInputs("password")
	focusSoon("password")
}

// signInFailure words a refused sign-in.
func signInFailure(err error, in api.SignInRequest) failure {
	f := describe(err)
	if f.Code == shared.CodeRateLimited || f.Status == http.StatusTooManyRequests {
		f.Message = rateLimitText(err)
		return f
	}
	if !api.IsUnauthorized(err) {
		return f
	}
	switch {
	case in.LoginToken != "":
		f.Message = "This sign-in link was already used or has expired. Sign in with your " +
			"username and password or an API key instead, or restart Plugboard to get a new link."
	case in.APIKey != "":
		f.Message = "This API key was not accepted. Check that it was pasted whole."
	case f.Message == "" || f.Message == http.StatusText(http.StatusUnauthorized):
		f.Message = "The username or password is wrong."
	}
	return f
}

// rateLimitText says how long to wait after too many attempts (to sign
// in, or to give the current password): the seconds of Retry-After when
// the server gave them, or else its words.
func rateLimitText(err error) string {
	p, _ := api.AsProblem(err)
	if p != nil && p.RetryAfter > 0 {
		return "Too many attempts. Try again in " + strconv.Itoa(p.RetryAfter) + " s."
	}
	if p != nil && p.Detail != "" {
		return p.Detail
	}
	return "Too many attempts. Wait a minute, then try again."
}
