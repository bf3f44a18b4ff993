package httpapi

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/backend/internal/decode"
	"github.com/plugboard/plugboard/shared"
)

// Names of the browser session's cookie and CSRF header.
const (
	SessionCookie = "pb_session"
	CSRFHeader    = "X-CSRF-Token"
)

const principalKey = "principal"

// principal returns who the request acts for; set by authenticate.
func principal(c *fiber.Ctx) access.Principal {
	p, _ := c.Locals(principalKey).(access.Principal)
	return p
}

// owner returns the owner the request acts for.
func owner(c *fiber.Ctx) string { return principal(c).OwnerID }

// authenticate accepts an API key as a Bearer token, or a session cookie.
// Requests that rely on the cookie and change something must also carry
// the session's CSRF token in a header, which another site cannot set.
func (s *server) authenticate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		scheme, key, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
			return problem(shared.CodeUnauthorized, "Send your API key as \"Authorization: Bearer <key>\".")
		}
		p, err := s.access.Authenticate(ctx, strings.TrimSpace(key))
		if err != nil {
			return authError(err, "The API key is not valid.")
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
	if tok := c.Cookies(SessionCookie); tok != "" {
		p, err := s.access.SessionPrincipal(ctx, tok)
		if err != nil {
			return authError(err, "Your session has ended; sign in again.")
		}
		if !isSafeMethod(c.Method()) && !p.CheckCSRF(c.Get(CSRFHeader)) {
			return problem(shared.CodeForbidden, "The request lacks the session's CSRF token, or has a wrong one, in the "+CSRFHeader+" header; reload the page to get a fresh one.")
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
	return problem(shared.CodeUnauthorized, "Send an API key as \"Authorization: Bearer <key>\", or sign in.")
}

func authError(err error, msg string) error {
	if errors.Is(err, access.ErrUnauthenticated) {
		return problem(shared.CodeUnauthorized, msg)
	}
	return err
}

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// signInRequest is the body of POST /api/v1/session.
type signInRequest struct {
	APIKey     string `json:"api_key,omitempty"`
	LoginToken string `json:"login_token,omitempty"`
}

// sessionAnswer is what the session routes answer.
type sessionAnswer struct {
	Owner     ownerAnswer `json:"owner"`
	CSRFToken string      `json:"csrf_token,omitempty"`
	ExpiresAt time.Time   `json:"expires_at"`
}

type ownerAnswer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// signIn starts a browser session from an API key or a one-time sign-in
// token, and sets the session cookie.
func (s *server) signIn(c *fiber.Ctx) error {
	var req signInRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	var (
		sess access.Session
		err  error
	)
	switch {
	case req.APIKey != "" && req.LoginToken != "":
		return fieldProblem("login_token", "give either api_key or login_token, not both")
	case req.APIKey != "":
		sess, err = s.access.SignInWithKey(c.UserContext(), req.APIKey)
	case req.LoginToken != "":
		sess, err = s.access.SignInWithLoginToken(c.UserContext(), req.LoginToken)
	default:
		return fieldProblem("api_key", "give an api_key or a login_token")
	}
	if err != nil {
		return authError(err, "That key or sign-in link is not valid, or was already used.")
	}
	c.Cookie(&fiber.Cookie{
		Name:     SessionCookie,
		Value:    sess.Token,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteStrictMode,
	})
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(sessionAnswer{
		Owner:     ownerAnswer{ID: sess.OwnerID, Name: "owner"},
		CSRFToken: sess.CSRFToken,
		ExpiresAt: sess.ExpiresAt,
	})
}

// getSession tells the browser who it is signed in as, with a fresh view
// of its CSRF token.
func (s *server) getSession(c *fiber.Ctx) error {
	p := principal(c)
	ans := sessionAnswer{Owner: ownerAnswer{ID: p.OwnerID, Name: "owner"},
		CSRFToken: p.CSRF(), ExpiresAt: p.SessionExpires}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ans)
}

// signOut ends the browser session on the server and clears the cookie.
func (s *server) signOut(c *fiber.Ctx) error {
	if tok := c.Cookies(SessionCookie); tok != "" {
		if err := s.access.SignOut(c.UserContext(), tok); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, Secure: s.secure,
		SameSite: fiber.CookieSameSiteStrictMode})
	return c.SendStatus(fiber.StatusNoContent)
}

// decodeBody decodes a JSON request body strictly into v.
func decodeBody(c *fiber.Ctx, v any) error {
	if len(c.Body()) > MaxBodyBytes {
		return problem(shared.CodeBodyTooLarge, "The request body may be at most 1 MiB.")
	}
	if ct := c.Get(fiber.HeaderContentType); ct != "" && !isJSON(ct) {
		return problem(shared.CodeUnsupportedMedia, "Send the body as application/json.")
	}
	return decode.JSON(c.Body(), v)
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
