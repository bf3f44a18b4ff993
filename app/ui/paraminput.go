package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// paramInputProps describes the input of one service parameter.
type paramInputProps struct {
	ID       string
	Param    shared.Param
	Value    string
	Error    string
	Disabled bool
	OnChange func(ctx app.Context, v string)
}

// paramInput renders a labelled input for a parameter: a list to choose
// from when it has options, a password input when it is secret, and a
// text input otherwise. Its description is the hint.
func paramInput(p paramInputProps) app.UI {
	label := p.Param.DisplayName
	if label == "" {
		label = p.Param.Name
	}
	if !p.Param.Required {
		label += " (optional)"
	}
	hint := p.Param.Description != ""
	return app.Div().
		Class("field").
		Body(
			app.Label().
				For(p.ID).
				Text(label),
			app.If(hint, func() app.UI {
				return app.P().
					ID(p.ID + "-hint").
					Class("hint").
					Text(p.Param.Description)
			}),
			paramControl(p, describedBy(p.ID, hint, p.Error)),
			fieldError(p.ID, errorText(label, p.Error)),
		)
}

// paramControl is the input element itself.
func paramControl(p paramInputProps, describedBy string) app.UI {
	onInput := func(ctx app.Context, e app.Event) {
		p.OnChange(ctx, ctx.JSSrc().Get("value").String())
	}
	if len(p.Param.Options) > 0 {
		value := p.Value
		if value == "" {
			value = p.Param.Default
		}
		return app.Select().
			ID(p.ID).
			Name(p.Param.Name).
			Required(p.Param.Required).
			Disabled(p.Disabled).
			Aria("describedby", describedBy).
			Aria("invalid", p.Error != "").
			OnChange(onInput, app.EventScope(p.ID)).
			Body(
				app.Option().
					Value("").
					Text("Choose…"),
				app.Range(p.Param.Options).Slice(func(i int) app.UI {
					o := p.Param.Options[i]
					return app.Option().
						Value(o).
						Selected(o == value).
						Text(o)
				}),
			)
	}
	kind := "text"
	if p.Param.Secret {
		kind = "password"
	}
	return app.Input().
		ID(p.ID).
		Name(p.Param.Name).
		Type(kind).
		Value(p.Value).
		Placeholder(p.Param.Default).
		Required(p.Param.Required && p.Param.Default == "").
		Disabled(p.Disabled).
		Attr("autocomplete", "off").
		Aria("describedby", describedBy).
		Aria("invalid", p.Error != "").
		OnInput(onInput, app.EventScope(p.ID))
}
