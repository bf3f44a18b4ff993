package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// noticeKind sets how a notice looks and how urgently assistive
// technology reads it.
type noticeKind string

const (
	noticeInfo    noticeKind = "info"
	noticeSuccess noticeKind = "success"
	noticeError   noticeKind = "error"
)

// notice is a short message about what just happened.
type notice struct {
	Kind noticeKind
	Text string
}

// noticeFor returns the error notice for f.
func noticeFor(f failure) notice {
	return notice{Kind: noticeError, Text: f.Message}
}

// layout renders a page: the top bar, then the page's content below a
// live region that announces n.
func layout(title string, n notice, content ...app.UI) app.UI {
	return app.Div().
		Class("page").
		Body(
			app.A().
				Class("skip-link").
				Href("#main").
				Text("Skip to content"),
			newTopBar(),
			app.Main().
				ID("main").
				Class("main").
				TabIndex(-1).
				Body(
					app.H1().
						ID("page-title").
						Text(title),
					liveRegion(n),
					app.Div().Body(content...),
				),
		)
}

// liveRegion announces n to screen readers and shows it. The region is
// always present, so changes to it are read out.
func liveRegion(n notice) app.UI {
	return app.Div().
		Class("live").
		Role("status").
		Aria("live", "polite").
		Body(
			app.If(n.Text != "", func() app.UI {
				return noticeBox(n)
			}),
		)
}

// noticeBox renders n in a colored box with a word that names its kind,
// so it does not rely on color.
func noticeBox(n notice) app.UI {
	label := map[noticeKind]string{
		noticeInfo:    "Note:",
		noticeSuccess: "Done:",
		noticeError:   "Error:",
	}[n.Kind]
	return app.P().
		Class("notice notice-"+string(n.Kind)).
		Body(
			app.Strong().Text(label),
			app.Text(" "+n.Text),
		)
}

// fieldError renders the message for an input whose id is id, linked to
// it with aria-describedby.
func fieldError(id, msg string) app.UI {
	if msg == "" {
		return nil
	}
	return app.P().
		ID(id + "-error").
		Class("field-error").
		Text(msg)
}

// errorText makes a field's error a sentence: a message that starts in
// lower case ("is required") gets the field's label in front.
func errorText(label, msg string) string {
	if msg == "" || msg[0] < 'a' || msg[0] > 'z' {
		return msg
	}
	return strings.TrimSuffix(label, " (optional)") + " " + msg
}

// describedBy is the aria-describedby value for an input with the given
// id, its hint and its error.
func describedBy(id string, hint bool, msg string) string {
	var ids string
	if hint {
		ids = id + "-hint"
	}
	if msg != "" {
		if ids != "" {
			ids += " "
		}
		ids += id + "-error"
	}
	return ids
}

// spinner shows that something is under way, with text for everyone.
func spinner(text string) app.UI {
	return app.Span().
		Class("working").
		Body(
			app.Span().
				Class("spinner").
				Aria("hidden", "true"),
			app.Text(text),
		)
}
