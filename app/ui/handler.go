package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Version names the build of the web app. Set it at build time with
// -ldflags "-X github.com/plugboard/plugboard/app/ui.Version=v1.2.3"; when
// it is empty, Handler derives one from the contents of web/app.wasm, so
// the service worker updates whenever the app changes.
var Version string

// wasmPath is where the built app lives, relative to the server's working
// directory, as go-app expects.
const wasmPath = "web/app.wasm"

// Handler returns the go-app handler that serves the app's pages, its
// service worker, manifest and static files from web/. The server mounts
// it after the API routes; it must call RegisterRoutes first.
func Handler() *app.Handler {
	return &app.Handler{
		Name:        "Plugboard",
		ShortName:   "Plugboard",
		Title:       "Plugboard",
		Description: "Connect your code to third-party services.",
		Icon: app.Icon{
			Default:  "/web/icons/app-192.png",
			Large:    "/web/icons/app-512.png",
			Maskable: "/web/icons/app-maskable-512.png",
			SVG:      "/web/icons/app.svg",
		},
		Styles:             []string{"/web/app.css"},
		CacheableResources: offlineResources(),
		ThemeColor:         themeColor,
		BackgroundColor:    backgroundColor,
		LoadingLabel:       "Loading Plugboard… {progress}%",
		Version:            buildVersion(),
		WasmContentLength:  wasmSize(),
		Resources:          newStaticFiles(""),
	}
}

// The app's colors, as the stylesheet uses them.
const (
	themeColor      = "#1d4ed8"
	backgroundColor = "#f6f7f9"
)

// offlineResources lists the files the service worker keeps besides the
// ones go-app adds itself, so an offline start still shows every icon:
// the app's SVG logo and the services' icons.
func offlineResources() []string {
	res := []string{"/web/icons/app.svg"}
	icons, _ := filepath.Glob("web/icons/services/*")
	for _, icon := range icons {
		res = append(res, "/"+filepath.ToSlash(icon))
	}
	return res
}

// buildVersion returns Version, or a digest of the built app.
func buildVersion() string {
	if Version != "" {
		return Version
	}
	f, err := os.Open(wasmPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// wasmSize returns the size of the uncompressed app, so the loader shows
// true progress even when the file travels compressed.
func wasmSize() string {
	fi, err := os.Stat(wasmPath)
	if err != nil {
		return ""
	}
	return strconv.FormatInt(fi.Size(), 10)
}
