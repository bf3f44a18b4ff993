package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// topBar is the header of every signed-in page: the product's name, the
// way home, who is signed in and the sign-out button.
type topBar struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	owner      string
	signingOut bool
	err        string
}

func newTopBar() *topBar { return &topBar{} }

// OnMount asks for the session, which also fetches the CSRF token the
// app needs for changes. An ended session leads to the sign-in page.
func (t *topBar) OnMount(ctx app.Context) {
	t.ctx = ctx
	ctx.Async(func() {
		s, err := server.Session(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				signInIfNeeded(ctx, err)
				return
			}
			t.owner = s.Owner.Name
		})
	})
}

// Render draws the bar.
func (t *topBar) Render() app.UI {
	return app.Header().
		Class("topbar").
		Body(
			app.A().
				Class("brand").
				Href(pathHome).
				Body(
					app.Img().
						Src("/web/icons/app.svg").
						Alt("").
						Width(28).
						Height(28),
					app.Span().Text("Plugboard"),
				),
			app.Nav().
				Aria("label", "Main").
				Body(
					app.A().
						Href(pathHome).
						Text("Connections"),
					app.A().
						Href(pathNewConnection).
						Text("Add connection"),
				),
			app.Div().
				Class("account").
				Body(
					app.If(t.owner != "", func() app.UI {
						return app.Span().
							Class("owner").
							Text(t.owner)
					}),
					app.Button().
						Type("button").
						Class("button button-quiet").
						Disabled(t.signingOut).
						OnClick(t.signOut).
						Text(signOutLabel(t.signingOut)),
					app.If(t.err != "", func() app.UI {
						return app.Span().
							Class("field-error").
							Role("alert").
							Text(t.err)
					}),
				),
		)
}

func signOutLabel(busy bool) string {
	if busy {
		return "Signing out…"
	}
	return "Sign out"
}

// signOut ends the session on the server, then shows the sign-in page.
func (t *topBar) signOut(ctx app.Context, e app.Event) {
	ctx = t.ctx
	t.signingOut = true
	t.err = ""
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			err = client.SignOut(ctx)
		}
		ctx.Dispatch(func(ctx app.Context) {
			t.signingOut = false
			if err != nil && !signInIfNeeded(ctx, err) {
				t.err = describe(err).Message
				return
			}
			server.setSession(nil)
			ctx.Navigate(pathSignIn)
		})
	})
}
