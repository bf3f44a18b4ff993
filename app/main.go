// Command app is the Plugboard web app, built to WebAssembly:
//
//	GOOS=js GOARCH=wasm go build -o web/app.wasm ./app
//
// The server serves it, with its pages, through ui.Handler.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/app/ui"
)

func main() {
	ui.RegisterRoutes()
	app.RunWhenOnBrowser()
}
