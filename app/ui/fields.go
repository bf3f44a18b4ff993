package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// textProps describes a labelled text input.
type textProps struct {
	ID          string
	Label       string
	Value       string
	Hint        string
	Error       string
	Type        string
	Placeholder string
	// Autocomplete is the input's autocomplete token, such as
	// "username" or "new-password"; "off" when empty.
	Autocomplete string
	Required     bool
	Disabled     bool
	OnInput      func(ctx app.Context, v string)
}

// textField renders a label, the input, its hint and its error.
func textField(p textProps) app.UI {
	kind := p.Type
	if kind == "" {
		kind = "text"
	}
	auto := p.Autocomplete
	if auto == "" {
		auto = "off"
	}
	return app.Div().
		Class("field").
		Body(
			app.Label().
				For(p.ID).
				Text(p.Label),
			app.If(p.Hint != "", func() app.UI {
				return app.P().
					ID(p.ID + "-hint").
					Class("hint").
					Text(p.Hint)
			}),
			app.Input().
				ID(p.ID).
				Type(kind).
				Value(p.Value).
				Placeholder(p.Placeholder).
				Required(p.Required).
				Disabled(p.Disabled).
				Attr("autocomplete", auto).
				Aria("describedby", describedBy(p.ID, p.Hint != "", p.Error)).
				Aria("invalid", p.Error != "").
				OnInput(func(ctx app.Context, e app.Event) {
					p.OnInput(ctx, ctx.JSSrc().Get("value").String())
				}, app.EventScope(p.ID)),
			fieldError(p.ID, errorText(p.Label, p.Error)),
		)
}

// checkProps describes a labelled checkbox.
type checkProps struct {
	ID       string
	Label    string
	Hint     string
	Checked  bool
	Disabled bool
	OnChange func(ctx app.Context, checked bool)
}

// checkbox renders a checkbox with its label after it.
func checkbox(p checkProps) app.UI {
	return app.Div().
		Class("check").
		Body(
			app.Input().
				ID(p.ID).
				Type("checkbox").
				Checked(p.Checked).
				Disabled(p.Disabled).
				Aria("describedby", describedBy(p.ID, p.Hint != "", "")).
				OnChange(func(ctx app.Context, e app.Event) {
					p.OnChange(ctx, ctx.JSSrc().Get("checked").Bool())
				}, app.EventScope(p.ID)),
			app.Label().
				For(p.ID).
				Text(p.Label),
			app.If(p.Hint != "", func() app.UI {
				return app.Span().
					ID(p.ID + "-hint").
					Class("hint").
					Text(p.Hint)
			}),
		)
}

// option is one choice of a select or a radio group.
type option struct {
	Value string
	Label string
}

// selectProps describes a labelled select.
type selectProps struct {
	ID       string
	Label    string
	Value    string
	Options  []option
	Hint     string
	Error    string
	Disabled bool
	OnChange func(ctx app.Context, v string)
}

// selectField renders a label, its hint and a select.
func selectField(p selectProps) app.UI {
	return app.Div().
		Class("field").
		Body(
			app.Label().
				For(p.ID).
				Text(p.Label),
			app.If(p.Hint != "", func() app.UI {
				return app.P().
					ID(p.ID + "-hint").
					Class("hint").
					Text(p.Hint)
			}),
			app.Select().
				ID(p.ID).
				Disabled(p.Disabled).
				Aria("describedby", describedBy(p.ID, p.Hint != "", p.Error)).
				Aria("invalid", p.Error != "").
				OnChange(func(ctx app.Context, e app.Event) {
					p.OnChange(ctx, ctx.JSSrc().Get("value").String())
				}, app.EventScope(p.ID)).
				Body(
					app.Range(p.Options).Slice(func(i int) app.UI {
						o := p.Options[i]
						return app.Option().
							Value(o.Value).
							Selected(o.Value == p.Value).
							Text(o.Label)
					}),
				),
			fieldError(p.ID, errorText(p.Label, p.Error)),
		)
}

// radioProps describes a group of radio buttons.
type radioProps struct {
	Name     string
	Legend   string
	Value    string
	Options  []option
	Error    string
	Disabled bool
	OnChange func(ctx app.Context, v string)
}

// radioGroup renders a fieldset of radio buttons.
func radioGroup(p radioProps) app.UI {
	return app.FieldSet().
		Class("radios").
		Body(
			app.Legend().Text(p.Legend),
			app.Range(p.Options).Slice(func(i int) app.UI {
				o := p.Options[i]
				id := p.Name + "-" + o.Value
				return app.Div().
					Class("check").
					Body(
						app.Input().
							ID(id).
							Type("radio").
							Name(p.Name).
							Value(o.Value).
							Checked(o.Value == p.Value).
							Disabled(p.Disabled).
							OnChange(func(ctx app.Context, e app.Event) { p.OnChange(ctx, o.Value) },
								app.EventScope(id)),
						app.Label().
							For(id).
							Text(o.Label),
					)
			}),
			fieldError(p.Name, errorText(p.Legend, p.Error)),
		)
}
