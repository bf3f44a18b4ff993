package ui

import (
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// keysPage lists the signed-in user's API keys, makes new ones (shown
// once) and revokes them.
type keysPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	status loadStatus
	fail   failure
	keys   []shared.APIKey
	now    time.Time
	note   notice

	creating bool
	// created is the key just made, shown until the person is done.
	created *shared.NewAPIKey
	revoke  *shared.APIKey
	askBusy bool
	askErr  string
}

func newKeysPage() *keysPage { return &keysPage{} }

// OnMount keeps the page's context.
func (p *keysPage) OnMount(ctx app.Context) {
	p.ctx = ctx
}

// OnNav loads the keys.
func (p *keysPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	ctx.Page().SetTitle("API keys · Plugboard")
	p.load(ctx)
}

func (p *keysPage) load(ctx app.Context) {
	ctx = p.ctx
	if p.status != loaded {
		p.status = loading
	}
	ctx.Async(func() {
		keys, err := server.client().ListKeys(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			p.now = time.Now()
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.status, p.fail = loadFailed, describe(err)
				}
				return
			}
			p.status, p.fail, p.keys = loaded, failure{}, keys
		})
	})
}

// Render draws the page.
func (p *keysPage) Render() app.UI {
	return layout("API keys", p.note,
		app.P().
			Class("lead").
			Body(
				app.Text("Programs sign in to Plugboard with an API key, sent as "),
				app.Code().Text("Authorization: Bearer <key>"),
				app.Text(". Give each program its own key, with only the rights it needs."),
			),
		app.If(p.created != nil, p.createdCard),
		app.Div().
			Class("toolbar").
			Body(
				app.Button().
					ID("create-key").
					Type("button").
					Class("button button-primary").
					OnClick(p.startCreate).
					Text("Create key"),
			),
		p.body(),
		app.If(p.creating, func() app.UI {
			return &createKeyDialog{OnDone: p.keyCreated, OnCancel: func(ctx app.Context) { p.creating = false }}
		}),
		app.If(p.revoke != nil, p.revokeDialog),
	)
}

func (p *keysPage) body() app.UI {
	switch {
	case p.status == loading:
		return app.P().Body(spinner("Loading your API keys…"))
	case p.status == loadFailed:
		return loadFailedState("Your API keys could not be loaded.", p.fail,
			func(ctx app.Context) { p.load(ctx) })
	case len(p.keys) == 0:
		return app.P().
			Class("empty").
			Text("You have no API keys. Create one for each program that calls Plugboard.")
	}
	return app.Table().
		Class("data").
		Body(
			app.Caption().
				Class("visually-hidden").
				Text("Your API keys"),
			app.THead().Body(
				app.Tr().Body(
					app.Th().Scope("col").Text("Name"),
					app.Th().Scope("col").Text("Rights"),
					app.Th().Scope("col").Text("Created"),
					app.Th().Scope("col").Text("Last used"),
					app.Th().Scope("col").Body(app.Span().Class("visually-hidden").Text("Actions")),
				),
			),
			app.TBody().Body(
				app.Range(p.keys).Slice(func(i int) app.UI { return p.keyRow(p.keys[i]) }),
			),
		)
}

func (p *keysPage) keyRow(k shared.APIKey) app.UI {
	return app.Tr().Body(
		app.Th().
			Scope("row").
			DataSet("label", "Name").
			Text(k.Name),
		app.Td().
			DataSet("label", "Rights").
			Body(rightList(k.Rights)),
		app.Td().
			DataSet("label", "Created").
			Text(formatTime(k.CreatedAt, "—")),
		app.Td().
			DataSet("label", "Last used").
			Text(usedText(p.now, k.LastUsedAt)),
		app.Td().
			Class("cell-actions").
			Body(app.Div().
				Class("row-buttons").
				Body(
					app.Button().
						Type("button").
						Class("button button-danger-quiet").
						Aria("label", "Revoke "+k.Name).
						OnClick(func(ctx app.Context, e app.Event) { p.askRevoke(k) },
							app.EventScope("revoke", k.ID)).
						Text("Revoke"),
				)),
	)
}

// rightList shows a key's rights as words.
func rightList(rights []shared.Right) app.UI {
	return app.Ul().
		Class("inline-list").
		Body(app.Range(rights).Slice(func(i int) app.UI {
			return app.Li().Body(app.Span().
				Class("tag").
				Text(string(rights[i])))
		}))
}

// usedText says when a key was last used.
func usedText(now, t time.Time) string {
	if t.IsZero() {
		return "Never"
	}
	return relativeTime(now, t)
}

func (p *keysPage) startCreate(ctx app.Context, e app.Event) {
	p.note, p.created, p.creating = notice{}, nil, true
}

// keyCreated shows the new key once, and lists it.
func (p *keysPage) keyCreated(ctx app.Context, k *shared.NewAPIKey) {
	p.creating, p.created = false, k
	p.keys = append(p.keys, k.APIKey)
	focusSoon("new-key")
}

// createdCard shows the key just made, with the warning that it is the
// only time.
func (p *keysPage) createdCard() app.UI {
	k := p.created
	return app.Section().
		Class("card card-success").
		Aria("labelledby", "new-key-title").
		Body(
			app.H2().
				ID("new-key-title").
				Text("Your new key “"+k.Name+"”"),
			app.P().
				Class("warning").
				Body(
					app.Strong().Text("Copy it now: you won't see it again."),
					app.Text(" Plugboard keeps only a fingerprint of it. If it is lost, "+
						"revoke it and create another."),
				),
			&copyField{ID: "new-key", Label: "API key", Value: k.Key},
			app.Button().
				Type("button").
				Class("button").
				OnClick(func(ctx app.Context, e app.Event) {
					p.created = nil
					focusSoon("create-key")
				}).
				Text("Done, I copied it"),
		)
}

func (p *keysPage) askRevoke(k shared.APIKey) {
	p.note = notice{}
	p.revoke, p.askErr = &k, ""
}

func (p *keysPage) revokeDialog() app.UI {
	k := p.revoke
	return &confirmDialog{
		ID:    "confirm-dialog",
		Title: "Revoke " + k.Name + "?",
		Message: "Programs that use this key are refused from now on. This cannot be " +
			"undone: a new key would be a different one.",
		ConfirmLabel: "Revoke",
		BusyLabel:    "Revoking…",
		Danger:       true,
		Busy:         p.askBusy,
		Error:        p.askErr,
		OnConfirm:    p.revoked,
		OnCancel:     func(ctx app.Context) { p.revoke = nil },
		ReturnFocus:  "create-key",
	}
}

// revoked revokes the key the person confirmed.
func (p *keysPage) revoked(ctx app.Context) {
	ctx = p.ctx
	k := *p.revoke
	p.askBusy, p.askErr = true, ""
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			err = client.DeleteKey(ctx, k.ID)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.askBusy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.askErr = describe(err).Message
				}
				return
			}
			p.revoke = nil
			p.keys = slices.DeleteFunc(p.keys, func(x shared.APIKey) bool { return x.ID == k.ID })
			if p.created != nil && p.created.ID == k.ID {
				p.created = nil
			}
			p.note = notice{Kind: noticeSuccess, Text: k.Name + " was revoked."}
		})
	})
}

// loadFailedState says what could not be loaded and why, with a way to
// try again.
func loadFailedState(what string, f failure, retry func(ctx app.Context)) app.UI {
	return app.Div().
		Class("empty").
		Body(
			app.P().
				Class("notice notice-error").
				Body(
					app.Strong().Text("Error:"),
					app.Text(" "+what+" "+f.Message),
				),
			app.Button().
				Type("button").
				Class("button").
				OnClick(func(ctx app.Context, e app.Event) { retry(ctx) }).
				Text("Try again"),
		)
}
