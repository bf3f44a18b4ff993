package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// modalFocus opens a <dialog> element as a modal, which moves the focus
// into it and makes the rest of the page inert, and later gives the focus
// back to the element that had it before.
type modalFocus struct {
	opener app.Value
	// signature tells whether the opener is still the same control: go-app
	// reuses elements, so a removed button's element may now be another.
	signature string
}

// signatureOf names what a control is to a person.
func signatureOf(el app.Value) string {
	if !el.Truthy() {
		return ""
	}
	return el.Call("getAttribute", "aria-label").String() + "|" + el.Get("textContent").String()
}

// open shows the dialog with the given id once it is in the page.
func (m *modalFocus) open(ctx app.Context, id string) {
	m.opener = activeElement()
	m.signature = signatureOf(m.opener)
	ctx.Defer(func(app.Context) {
		d := app.Window().GetElementByID(id)
		if d.Truthy() && !d.Get("open").Bool() {
			d.Call("showModal")
		}
	})
}

// restore gives the focus back to the element that opened the dialog.
// When that one is gone or cannot hold the focus (a button that became
// disabled gives it up to the body), the element with the id fallback
// gets it, or else the page's main content.
func (m *modalFocus) restore(fallback string) {
	body := app.Window().Get("document").Get("body")
	if m.opener != nil && m.opener.Truthy() && !m.opener.Equal(body) &&
		m.opener.Get("isConnected").Bool() && signatureOf(m.opener) == m.signature {
		m.opener.Call("focus")
		if activeElement().Equal(m.opener) {
			return
		}
	}
	if fallback != "" {
		focusSoon(fallback)
		return
	}
	focusSoon("main")
}

// onCancel handles Escape: it keeps the dialog open while busy, and lets
// it close otherwise.
func onCancel(busy func() bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if busy() {
			e.PreventDefault()
		}
	}
}

// confirmDialog asks the person to confirm an action that cannot be
// undone. The parent renders it while the question is open.
type confirmDialog struct {
	app.Compo

	ID           string
	Title        string
	Message      string
	ConfirmLabel string
	BusyLabel    string
	Danger       bool
	Busy         bool
	Error        string
	OnConfirm    func(ctx app.Context)
	OnCancel     func(ctx app.Context)
	// ReturnFocus is the id of the element that gets the focus when the
	// dialog closes, if the one that opened it cannot.
	ReturnFocus string

	focus modalFocus
}

// OnMount opens the dialog.
func (d *confirmDialog) OnMount(ctx app.Context) {
	d.focus.open(ctx, d.ID)
}

// OnDismount gives the focus back.
func (d *confirmDialog) OnDismount() {
	d.focus.restore(d.ReturnFocus)
}

// Render draws the question and its two buttons; Cancel has the focus
// first, so a stray Enter does no harm.
func (d *confirmDialog) Render() app.UI {
	confirmClass := "button button-primary"
	if d.Danger {
		confirmClass = "button button-danger"
	}
	return app.Dialog().
		ID(d.ID).
		Class("modal").
		Aria("labelledby", d.ID+"-title").
		Aria("describedby", d.ID+"-message").
		On("cancel", onCancel(func() bool { return d.Busy })).
		On("close", d.closed).
		Body(
			app.H2().
				ID(d.ID+"-title").
				Text(d.Title),
			app.P().
				ID(d.ID+"-message").
				Text(d.Message),
			app.If(d.Error != "", func() app.UI {
				return app.P().
					Class("notice notice-error").
					Role("alert").
					Text(d.Error)
			}),
			app.Div().
				Class("dialog-actions").
				Body(
					app.Button().
						Type("button").
						Class("button").
						AutoFocus(true).
						Disabled(d.Busy).
						OnClick(func(ctx app.Context, e app.Event) { d.cancel(ctx) }).
						Text("Cancel"),
					app.Button().
						Type("button").
						Class(confirmClass).
						Disabled(d.Busy).
						OnClick(func(ctx app.Context, e app.Event) { d.OnConfirm(ctx) }).
						Body(d.confirmLabel()),
				),
		)
}

func (d *confirmDialog) confirmLabel() app.UI {
	if d.Busy {
		return spinner(d.BusyLabel)
	}
	return app.Text(d.ConfirmLabel)
}

// closed handles the dialog closing by itself (Escape).
func (d *confirmDialog) closed(ctx app.Context, e app.Event) {
	d.cancel(ctx)
}

func (d *confirmDialog) cancel(ctx app.Context) {
	if d.OnCancel != nil {
		d.OnCancel(ctx)
	}
}
