package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The app's pages.
const (
	pathHome          = "/"
	pathSignIn        = "/signin"
	pathNewConnection = "/connections/new"
	pathOAuthFailed   = "/oauth/failed"
	pathAccount       = "/account"
	pathKeys          = "/keys"
	pathUsers         = "/users"
	pathAudit         = "/audit"
)

// RegisterRoutes tells go-app which component renders each page. Both the
// WebAssembly app and the server call it: the server to know which paths
// are pages and to render them before the app loads.
func RegisterRoutes() {
	app.Route(pathHome, func() app.Composer { return newConnectionsPage() })
	app.Route(pathSignIn, func() app.Composer { return newSignInPage() })
	app.Route(pathNewConnection, func() app.Composer { return newNewConnectionPage() })
	app.Route(pathOAuthFailed, func() app.Composer { return newOAuthFailedPage() })
	app.Route(pathAccount, func() app.Composer { return newAccountPage() })
	app.Route(pathKeys, func() app.Composer { return newKeysPage() })
	app.Route(pathUsers, func() app.Composer { return newUsersPage() })
	app.Route(pathAudit, func() app.Composer { return newAuditPage() })
	app.RouteWithRegexp(`^/connections/[^/]+$`, func() app.Composer { return newSummaryPage() })
}

// connectionPath is the address of a connection's summary page.
func connectionPath(id string) string {
	return "/connections/" + url.PathEscape(id)
}
