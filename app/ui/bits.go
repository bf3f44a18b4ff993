package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// statusBadge shows a connection's status as colored text: the word is
// always there, the color only helps.
func statusBadge(s shared.Status) app.UI {
	return app.Span().
		Class(statusClass(s)).
		Text(s.Label())
}

// serviceIcon shows a service's icon, or its first letter when it has
// none. The icon is decoration: the service's name is always next to it.
func serviceIcon(icon, name string) app.UI {
	if icon != "" {
		return app.Img().
			Class("service-icon").
			Src(icon).
			Alt("").
			Width(32).
			Height(32)
	}
	letter := "?"
	if name = strings.TrimSpace(name); name != "" {
		letter = strings.ToUpper(string([]rune(name)[:1]))
	}
	return app.Span().
		Class("service-icon service-icon-letter").
		Aria("hidden", "true").
		Text(letter)
}

// copyField shows a read-only value with a button that copies it.
type copyField struct {
	app.Compo

	ID    string
	Label string
	Value string

	copied bool
	failed bool
}

// Render draws the label, the value and the button.
func (c *copyField) Render() app.UI {
	return app.Div().
		Class("field").
		Body(
			app.Label().
				For(c.ID).
				Text(c.Label),
			app.Div().
				Class("copy-row").
				Body(
					app.Input().
						ID(c.ID).
						Type("text").
						ReadOnly(true).
						Value(c.Value),
					app.Button().
						Type("button").
						Class("button").
						OnClick(c.copy).
						Text("Copy"),
				),
			app.Span().
				Class("copy-status").
				Role("status").
				Text(c.statusText()),
		)
}

func (c *copyField) statusText() string {
	switch {
	case c.copied:
		return "Copied to the clipboard."
	case c.failed:
		return "Copying failed: select the text and copy it by hand."
	}
	return ""
}

// copy puts the value on the clipboard. Without the Clipboard API it
// selects the text and uses the older copy command.
func (c *copyField) copy(ctx app.Context, e app.Event) {
	c.copied, c.failed = false, false
	clip := app.Window().Get("navigator").Get("clipboard")
	if clip.Truthy() {
		whenSettled(ctx, clip.Call("writeText", c.Value), func(ctx app.Context, ok bool) {
			c.copied, c.failed = ok, !ok
		})
		return
	}
	input := app.Window().GetElementByID(c.ID)
	input.Call("select")
	c.copied = app.Window().Get("document").Call("execCommand", "copy").Truthy()
	c.failed = !c.copied
}

// classIf returns class when cond holds, or "".
func classIf(cond bool, class string) string {
	if cond {
		return class
	}
	return ""
}
