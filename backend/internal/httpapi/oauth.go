package httpapi

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/lifecycle"
)

// bindingCookie starts the name of the cookie that ties an OAuth 2.0 flow
// to the browser that started it (see lifecycle.Binding); the rest of the
// name is the binding's.
const bindingCookie = "pb_oauth_"

// callbackPath is where providers send the browser back to.
const callbackPath = "/oauth/callback"

// authorizeRequest is the body of POST .../authorize: the values a Basic
// Auth or API-key service asks for, by actual parameter name. OAuth 2.0
// connections send no body.
type authorizeRequest struct {
	Params map[string]string `json:"params"`
}

func (s *server) authorize(c *fiber.Ctx) error {
	var req authorizeRequest
	if len(c.Body()) > 0 {
		if err := decodeBody(c, &req); err != nil {
			return err
		}
	}
	// A flow started from a browser session is bound to that browser. One
	// started with an API key is not: a program has no browser, and
	// sends the person to the provider by its own means.
	res, err := s.m.Authorize(c.UserContext(), owner(c), c.Params("ref"), req.Params, viaSession(c))
	if err != nil {
		return err
	}
	if res.Binding != nil {
		s.setBinding(c, res.Binding)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
}

// viaSession reports whether the caller is a browser session, not an API
// key.
func viaSession(c *fiber.Ctx) bool { return principal(c).CSRF() != "" }

// setBinding gives the browser the binding of the flow it starts. The
// cookie goes only to the callback, and is Lax: the provider's redirect
// back is a top-level navigation from another site, which carries Lax
// cookies and not Strict ones.
func (s *server) setBinding(c *fiber.Ctx, b *lifecycle.Binding) {
	c.Cookie(&fiber.Cookie{
		Name:     bindingCookie + b.Name,
		Value:    b.Value,
		Path:     callbackPath,
		MaxAge:   int(lifecycle.StateTTL / time.Second),
		Expires:  time.Now().Add(lifecycle.StateTTL),
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// takeBinding returns the binding the browser kept for the flow whose
// state came back, and deletes its cookie.
func (s *server) takeBinding(c *fiber.Ctx, state string) string {
	name := bindingCookie + lifecycle.BindingName(state)
	value := c.Cookies(name)
	if value != "" {
		c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: callbackPath, MaxAge: -1,
			Expires: time.Unix(0, 0), HTTPOnly: true, Secure: s.secure,
			SameSite: fiber.CookieSameSiteLaxMode})
	}
	return value
}

func (s *server) verify(c *fiber.Ctx) error {
	conn, err := s.m.Verify(c.UserContext(), owner(c), c.Params("ref"))
	if err != nil {
		return err
	}
	return c.JSON(connectionAnswer{Connection: conn})
}

func (s *server) token(c *fiber.Ctx) error {
	tok, err := s.m.AccessToken(c.UserContext(), owner(c), c.Params("ref"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(tok)
}

// oauthCallback is the redirect URI registered at providers. It needs no
// API key: the single-use state names the owner and the connection, and
// a flow started from a browser session needs that browser's binding.
// The browser is sent on to the connection's page with the outcome; the
// code and state never appear in the address it goes to.
func (s *server) oauthCallback(c *fiber.Ctx) error {
	query, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return c.Redirect("/oauth/failed?code=bad_request", fiber.StatusSeeOther)
	}
	// The state names the owner; the trail notes where the browser came
	// back from.
	ctx := audit.WithActor(c.UserContext(), audit.Actor{Via: "oauth_callback", IP: c.IP()})
	res, err := s.m.Callback(ctx, query, s.takeBinding(c, query.Get("state")))
	if err != nil {
		s.log.ErrorContext(c.UserContext(), "oauth callback failed", "err", err)
		return c.Redirect("/oauth/failed?code=internal_error", fiber.StatusSeeOther)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if res.ConnectionID == "" {
		return c.Redirect("/oauth/failed?code="+string(res.Failure), fiber.StatusSeeOther)
	}
	outcome := "failed"
	if res.OK {
		outcome = "connected"
	}
	return c.Redirect("/connections/"+res.ConnectionID+"?outcome="+outcome, fiber.StatusSeeOther)
}
