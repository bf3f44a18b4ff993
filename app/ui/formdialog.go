package ui

import (
	"errors"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// formDialogProps describes a modal dialog that holds a form.
type formDialogProps struct {
	ID    string
	Title string
	// Intro is a sentence under the title, or "".
	Intro       string
	Busy        bool
	Fail        failure
	SubmitLabel string
	BusyLabel   string
	Danger      bool
	OnSubmit    app.EventHandler
	// OnClose handles the dialog closing by itself (Escape).
	OnClose  app.EventHandler
	OnCancel func(ctx app.Context)
}

// formDialog draws a <dialog> with a form: the title, the fields, an
// alert region for what went wrong, and the Cancel and submit buttons.
// The component that renders it keeps the state and opens it with
// modalFocus.
func formDialog(p formDialogProps, fields ...app.UI) app.UI {
	submitClass := "button button-primary"
	if p.Danger {
		submitClass = "button button-danger"
	}
	return app.Dialog().
		ID(p.ID).
		Class("modal").
		Aria("labelledby", p.ID+"-title").
		On("cancel", onCancel(func() bool { return p.Busy })).
		On("close", p.OnClose).
		Body(
			app.Form().
				Attr("novalidate", true).
				OnSubmit(p.OnSubmit).
				Body(
					app.H2().
						ID(p.ID+"-title").
						Text(p.Title),
					app.If(p.Intro != "", func() app.UI {
						return app.P().
							Class("hint").
							Text(p.Intro)
					}),
					app.Div().Body(fields...),
					app.Div().
						Class("live").
						Role("alert").
						Body(app.If(p.Fail.Message != "", func() app.UI {
							return noticeBox(noticeFor(p.Fail))
						})),
					app.Div().
						Class("dialog-actions").
						Body(
							app.Button().
								Type("button").
								Class("button").
								Disabled(p.Busy).
								OnClick(func(ctx app.Context, e app.Event) { p.OnCancel(ctx) }).
								Text("Cancel"),
							app.Button().
								Type("submit").
								Class(submitClass).
								Disabled(p.Busy).
								Body(app.If(p.Busy, func() app.UI { return spinner(p.BusyLabel) }).
									Else(func() app.UI { return app.Text(p.SubmitLabel) })),
						),
				),
		)
}

// dialogForm is the state every form dialog keeps: its focus, whether
// its request is under way, and what went wrong.
type dialogForm struct {
	id    string
	focus modalFocus
	busy  bool
	fail  failure
	// ctx is the dialog's own context, kept from open: API results are
	// applied through it.
	ctx app.Context
}

// open shows the dialog and keeps its context.
func (f *dialogForm) open(ctx app.Context, id string) {
	f.id, f.ctx = id, ctx
	f.focus.open(ctx, id)
}

// closed handles the dialog closing by itself (Escape). While a request
// is under way it opens again: the answer belongs in it.
func (f *dialogForm) closed(ctx app.Context, cancel func(ctx app.Context)) {
	if f.busy {
		f.focus.open(ctx, f.id)
		return
	}
	cancel(ctx)
}

// invalid shows field errors found before anything was sent.
func (f *dialogForm) invalid(fields map[string]string) {
	f.fail = failure{Message: "Some fields need attention: see the messages next to them.",
		Fields: fields}
}

// fieldMap turns a validation error of the shared rules into messages by
// field, the first for each; nil when err holds none.
func fieldMap(err error) map[string]string {
	var fe shared.FieldErrors
	if !errors.As(err, &fe) || len(fe) == 0 {
		return nil
	}
	m := make(map[string]string, len(fe))
	for _, e := range fe {
		if _, dup := m[e.Field]; !dup {
			m[e.Field] = e.Message
		}
	}
	return m
}
