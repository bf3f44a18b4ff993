package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// whenSettled calls done with whether the JavaScript promise p was
// fulfilled, on the UI goroutine.
func whenSettled(ctx app.Context, p app.Value, done func(ctx app.Context, ok bool)) {
	var onOK, onErr app.Func
	settle := func(ok bool) {
		onOK.Release()
		onErr.Release()
		ctx.Dispatch(func(ctx app.Context) { done(ctx, ok) })
	}
	onOK = app.FuncOf(func(app.Value, []app.Value) any {
		settle(true)
		return nil
	})
	onErr = app.FuncOf(func(app.Value, []app.Value) any {
		settle(false)
		return nil
	})
	p.Call("then", onOK, onErr)
}

// activeElement returns the element that has the focus.
func activeElement() app.Value {
	return app.Window().Get("document").Get("activeElement")
}

// focusElement moves the focus to the element with the given id, if it
// exists.
func focusElement(id string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Call("focus")
	}
}

// focusSoon moves the focus to the element with the given id as soon as
// it is in the page and can take it. Event handlers use it for elements that the next
// render adds: a deferred call would be dropped when the render removes
// the element whose handler asked for it.
func focusSoon(id string) {
	tries := 0
	var try app.Func
	try = app.FuncOf(func(app.Value, []app.Value) any {
		if el := app.Window().GetElementByID(id); el.Truthy() {
			el.Call("focus")
			if activeElement().Equal(el) {
				try.Release()
				return nil
			}
		}
		if tries++; tries > 50 {
			try.Release()
			return nil
		}
		app.Window().Call("setTimeout", try, 20)
		return nil
	})
	app.Window().Call("setTimeout", try, 0)
}

// goExternal sends the browser to an address outside the app, such as a
// provider's authorization page.
func goExternal(href string) {
	app.Window().Get("location").Set("href", href)
}

// online reports whether the browser believes it has a network.
func online() bool {
	return app.Window().Get("navigator").Get("onLine").Bool()
}

// clearInputs empties the inputs with the given ids. A render alone does
// not: go-app drops an empty value attribute instead of setting the
// input's value to "", so what was typed would stay.
func clearInputs(ids ...string) {
	for _, id := range ids {
		if el := app.Window().GetElementByID(id); el.Truthy() {
			el.Set("value", "")
		}
	}
}
