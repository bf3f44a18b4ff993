package httpapi

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/audit"
)

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
	res, err := s.m.Authorize(c.UserContext(), owner(c), c.Params("ref"), req.Params)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
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
// API key: the single-use state names the owner and the connection. The
// browser is sent on to the connection's page with the outcome; the code
// and state never appear in the address it goes to.
func (s *server) oauthCallback(c *fiber.Ctx) error {
	query, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return c.Redirect("/oauth/failed?code=bad_request", fiber.StatusSeeOther)
	}
	// The state names the owner; the trail notes where the browser came
	// back from.
	ctx := audit.WithActor(c.UserContext(), audit.Actor{Via: "oauth_callback", IP: c.IP()})
	res, err := s.m.Callback(ctx, query)
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
