// Package httpapi is Plugboard's HTTP edge: it routes requests, checks who
// is calling, decodes bodies, and answers JSON or RFC 9457 problem
// documents. It holds no business rules; those are in package lifecycle.
package httpapi

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/lifecycle"
	"github.com/plugboard/plugboard/shared"
)

// MaxBodyBytes caps request bodies of the JSON API.
const MaxBodyBytes = 1 << 20

// Config is what the HTTP edge needs.
type Config struct {
	Manager *lifecycle.Manager
	Access  *access.Service
	Audit   *audit.Recorder
	Log     *slog.Logger
	// PublicURL is the address people and providers reach Plugboard at.
	PublicURL string
	Version   string
	// UI serves the web app; it answers every path the API does not.
	UI http.Handler
}

// server holds the handlers' dependencies.
type server struct {
	m         *lifecycle.Manager
	access    *access.Service
	audit     *audit.Recorder
	log       *slog.Logger
	publicURL string
	version   string
	secure    bool
}

// New returns the Fiber app with every route.
func New(cfg Config) *fiber.App {
	s := &server{
		m:         cfg.Manager,
		access:    cfg.Access,
		audit:     cfg.Audit,
		log:       cfg.Log,
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"),
		version:   cfg.Version,
		secure:    strings.HasPrefix(cfg.PublicURL, "https://"),
	}
	app := fiber.New(fiber.Config{
		AppName: "plugboard",
		// A body is read when a handler asks for it, not before the
		// first middleware runs: limitBody holds each route to its cap,
		// and the proxy reads its larger bodies only for a known caller.
		// BodyLimit then only sizes what fasthttp reads ahead.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    MaxProxyBodyBytes,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  120 * time.Second,
		DisableStartupMessage:        true,
		ErrorHandler:                 s.handleError,
		CaseSensitive:                true,
		StrictRouting:                false,
	})
	s.refuseUnknownMethods(app)
	app.Use(s.logRequests)
	// A panic in one handler answers that request with a 500 problem
	// (logged with the panic) instead of ending the whole process.
	app.Use(recover.New())
	app.Use(s.securityHeaders)
	app.Use(s.limitBody)

	app.Get("/oauth/callback", s.oauthCallback)

	api := app.Group("/api/v1")
	api.Get("/health", s.health)
	api.Get("/openapi.json", s.openapi)
	api.Post("/session", s.signIn)
	api.Use(s.authenticate)
	api.Get("/session", s.getSession)
	api.Delete("/session", s.signOut)
	// Each route names the right an API key needs for it (see need).
	read, manage, use := need(shared.RightRead), need(shared.RightManage), need(shared.RightUse)
	api.Get("/meta", read, s.meta)
	api.Delete("/sessions", manage, s.endSessions)
	// Passwords and users need every right (see needAll).
	api.Put("/account/password", needAll, s.changePassword)

	api.Get("/keys", read, s.listKeys)
	api.Post("/keys", manage, s.createKey)
	api.Delete("/keys/:id", manage, s.deleteKey)

	// Users and the audit trail are for admins (see requireAdmin).
	admin := s.requireAdmin
	api.Get("/users", read, admin, s.listUsers)
	api.Post("/users", needAll, admin, s.createUser)
	api.Get("/users/:id", read, admin, s.getUser)
	api.Patch("/users/:id", needAll, admin, s.updateUser)
	api.Delete("/users/:id", needAll, admin, s.deleteUser)
	api.Get("/audit", read, admin, s.listAudit)

	api.Get("/services", read, s.listServices)
	api.Post("/services", manage, s.createService)
	api.Get("/services/:id", read, s.getService)
	api.Patch("/services/:id", manage, s.updateService)
	api.Delete("/services/:id", manage, s.deleteService)

	api.Get("/connections", read, s.listConnections)
	api.Post("/connections", manage, s.createConnection)
	api.Get("/connections/:ref", read, s.getConnection)
	api.Patch("/connections/:ref", manage, s.updateConnection)
	api.Delete("/connections/:ref", manage, s.deleteConnection)
	api.Get("/connections/:ref/events", read, s.listEvents)
	api.Post("/connections/:ref/authorize", manage, s.authorize)
	api.Post("/connections/:ref/verify", manage, s.verify)
	api.Post("/connections/:ref/revoke", manage, s.revoke)
	api.Get("/connections/:ref/token", use, s.token)
	api.Get("/connections/:ref/shares", read, s.listShares)
	api.Put("/connections/:ref/shares/:user", manage, admin, s.putShare)
	// Only admins share, but an owner may always stop sharing.
	api.Delete("/connections/:ref/shares/:user", manage, s.deleteShare)
	api.All("/connections/:ref/proxy/*", use, s.proxy)
	api.Use(func(c *fiber.Ctx) error {
		if allow := allowedMethods(app, c.Path()); len(allow) > 0 {
			c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
			return problem(shared.CodeMethodNotAllowed,
				"This route accepts "+strings.Join(allow, ", ")+", not "+c.Method()+".")
		}
		return problem(shared.CodeNotFound, "No such route: "+c.Method()+" "+c.Path()+".")
	})

	if cfg.UI != nil {
		app.Use(adaptor.HTTPHandler(cfg.UI))
	}
	return app
}

// refuseUnknownMethods answers a request whose method the router does not
// know (WebDAV's PROPFIND, a made-up one, a lower-case one) with a 405
// problem document naming the methods the path takes. Fiber itself would
// answer a plain-text 400 before any middleware runs, so this wraps it.
func (s *server) refuseUnknownMethods(app *fiber.App) {
	next := app.Server().Handler
	known := app.Config().RequestMethods
	app.Server().Handler = func(fc *fasthttp.RequestCtx) {
		m := fc.Method()
		routed := slices.ContainsFunc(known, func(k string) bool { return k == string(m) })
		if routed && !tunnelLine(fc) {
			next(fc)
			return
		}
		c := app.AcquireCtx(fc)
		defer app.ReleaseCtx(c)
		defer finishBody(c)
		s.setSecurityHeaders(c)
		p, allow := unknownMethod(app, c.Path(), c.Method())
		if len(allow) > 0 {
			c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
		}
		_ = sendProblem(c, p)
		s.log.DebugContext(c.UserContext(), "request",
			"method", c.Method(), "path", c.Path(), "status", c.Response().StatusCode())
	}
}

// unknownMethod is the answer to a method the router does not know, and
// the methods the path takes, for the Allow header.
func unknownMethod(app *fiber.App, path, method string) (*shared.Problem, []string) {
	allow := allowedMethods(app, path)
	switch {
	case len(allow) > 0:
	case strings.HasPrefix(path, "/api/"):
		return problem(shared.CodeNotFound, "No such route: "+path+"."), nil
	default:
		// The callback and the web app's pages.
		allow = []string{fiber.MethodGet, fiber.MethodHead}
	}
	return problem(shared.CodeMethodNotAllowed,
		"This route accepts "+strings.Join(allow, ", ")+", not "+method+"."), allow
}

// allowedMethods lists the methods of the API routes whose pattern matches
// path, for a 405 answer. It runs only for requests no route took.
func allowedMethods(app *fiber.App, path string) []string {
	if matchRoute(proxyRoute, path) {
		return slices.Clone(proxyMethods)
	}
	var out []string
	for _, r := range app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/") || r.Method == fiber.MethodHead ||
			slices.Contains(out, r.Method) || !matchRoute(r.Path, path) {
			continue
		}
		out = append(out, r.Method)
	}
	slices.Sort(out)
	return out
}

// matchRoute reports whether path fits a route pattern whose ":name"
// segments match one segment and whose "*" matches the rest.
func matchRoute(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		switch {
		case p == "*":
			return true
		case i >= len(xs):
			return false
		case strings.HasPrefix(p, ":"):
			if xs[i] == "" {
				return false
			}
		case p != xs[i]:
			return false
		}
	}
	return len(ps) == len(xs)
}

// handleError answers every error a handler returns.
func (s *server) handleError(c *fiber.Ctx, err error) error {
	_, herr := s.answerError(c, err)
	return herr
}

// answerError answers err as a problem document and logs the server's own
// faults at ERROR. A service's failure (a 5xx answer such as
// provider_error) is not Plugboard's fault: it is returned as cause, for
// the request's log line.
func (s *server) answerError(c *fiber.Ctx, err error) (cause, herr error) {
	p, serverFault := toProblem(err)
	switch {
	case serverFault:
		s.log.ErrorContext(c.UserContext(), "request failed",
			"method", c.Method(), "path", c.Path(), "status", p.Status, "err", err)
	case p.Status >= 500:
		cause = err
	}
	return cause, sendProblem(c, p)
}

// logRequests writes one line per request, at WARN with the cause when a
// service failed. The query string is left out: the OAuth callback's
// carries a code.
func (s *server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	var cause error
	if err := c.Next(); err != nil {
		var herr error
		if cause, herr = s.answerError(c, err); herr != nil {
			return herr
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelWarn
	}
	attrs := []any{"method", c.Method(), "path", c.Path(), "status", status,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000}
	if cause != nil {
		attrs = append(attrs, "err", cause)
	}
	s.log.Log(c.UserContext(), level, "request", attrs...)
	return nil
}

// securityHeaders sets headers suited to a WebAssembly app and a JSON API.
func (s *server) securityHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

// setSecurityHeaders sets the headers of securityHeaders on c's answer.
func (s *server) setSecurityHeaders(c *fiber.Ctx) {
	c.Set("X-Content-Type-Options", "nosniff")
	// The callback's address carries an authorization code: never send it
	// on as a Referer.
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
	// go-app needs 'wasm-unsafe-eval' to compile app.wasm, and its loader
	// script and styles are same-origin files.
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "+
		"style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "+
		"frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
	if s.secure {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

func (s *server) health(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *server) meta(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{
		"callback_url": s.m.CallbackURL(),
		"public_url":   s.publicURL,
		"version":      s.version,
	})
}
