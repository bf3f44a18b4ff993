package httpapi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/backend/internal/audit"
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
// It names the caller in the request's context for the audit trail.
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
		return s.actAs(c, p, "api_key:"+p.KeyID)
	}
	if tok := c.Cookies(SessionCookie); tok != "" {
		p, err := s.access.SessionPrincipal(ctx, tok)
		if err != nil {
			return authError(err, "Your session has ended; sign in again.")
		}
		if !isSafeMethod(c.Method()) && !p.CheckCSRF(c.Get(CSRFHeader)) {
			return problem(shared.CodeForbidden, "The request lacks the session's CSRF token, or has a wrong one, in the "+CSRFHeader+" header; reload the page to get a fresh one.")
		}
		return s.actAs(c, p, "session")
	}
	return problem(shared.CodeUnauthorized, "Send an API key as \"Authorization: Bearer <key>\", or sign in.")
}

// actAs lets the request on as p, who signed in via the given means.
func (s *server) actAs(c *fiber.Ctx, p access.Principal, via string) error {
	c.Locals(principalKey, p)
	c.SetUserContext(audit.WithActor(c.UserContext(), audit.Actor{
		UserID: p.OwnerID, Name: p.Username, Via: via, IP: c.IP(),
	}))
	return c.Next()
}

// authError maps a failed check of credentials; msg says what was wrong
// with them.
func authError(err error, msg string) error {
	switch {
	case errors.Is(err, access.ErrUnauthenticated):
		return problem(shared.CodeUnauthorized, msg)
	case errors.Is(err, access.ErrDisabled):
		return problem(shared.CodeUnauthorized, "This user is disabled; ask an admin to enable it.")
	}
	return err
}

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// signInRequest is the body of POST /api/v1/session: an API key, a
// one-time sign-in token, or a username and password.
type signInRequest struct {
	APIKey     string `json:"api_key,omitempty"`
	LoginToken string `json:"login_token,omitempty"`
	Username   string `json:"username,omitempty"`
	Password   string `json:"password,omitempty"`
}

// check says what is wrong with the request, or nil.
func (r signInRequest) check() error {
	given := 0
	for _, v := range []string{r.APIKey, r.LoginToken, r.Username + r.Password} {
		if v != "" {
			given++
		}
	}
	switch {
	case given == 0:
		return fieldProblem("", "give an api_key, a login_token, or a username and a password")
	case given > 1:
		return fieldProblem("", "give only one of api_key, login_token, or username and password")
	case r.APIKey != "" || r.LoginToken != "":
		return nil
	case r.Username == "":
		return fieldProblem("username", "is required with a password")
	case r.Password == "":
		return fieldProblem("password", "is required with a username")
	case len(r.Password) > shared.MaxPasswordBytes:
		return fieldProblem("password", fmt.Sprintf("must be at most %d bytes", shared.MaxPasswordBytes))
	case len(r.Username) > 64:
		return fieldProblem("username", "must be at most 64 characters")
	}
	return nil
}

// sessionAnswer is what the session routes answer.
type sessionAnswer struct {
	User      shared.User `json:"user"`
	CSRFToken string      `json:"csrf_token,omitempty"`
	ExpiresAt time.Time   `json:"expires_at"`
}

// signIn starts a browser session from an API key, a one-time sign-in
// token, or a username and password, and sets the session cookie.
func (s *server) signIn(c *fiber.Ctx) error {
	var req signInRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	sess, err := s.startSession(c, req)
	if err != nil {
		return err
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
	return c.JSON(sessionAnswer{User: sess.User, CSRFToken: sess.CSRFToken, ExpiresAt: sess.ExpiresAt})
}

// startSession signs in the way req asks.
func (s *server) startSession(c *fiber.Ctx, req signInRequest) (access.Session, error) {
	ctx, addr := c.UserContext(), c.IP()
	switch {
	case req.APIKey != "":
		sess, err := s.access.SignInWithKey(ctx, req.APIKey, addr)
		return sess, authError(err, "That API key is not valid.")
	case req.LoginToken != "":
		sess, err := s.access.SignInWithLoginToken(ctx, req.LoginToken, addr)
		return sess, authError(err, "That sign-in link is not valid, or was already used.")
	}
	sess, err := s.access.SignInWithPassword(ctx, req.Username, req.Password, addr)
	return sess, authError(err, "The username or password is wrong.")
}

// getSession tells the browser who it is signed in as, with a fresh view
// of its CSRF token.
func (s *server) getSession(c *fiber.Ctx) error {
	p := principal(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(sessionAnswer{User: p.User(), CSRFToken: p.CSRF(), ExpiresAt: p.SessionExpires})
}

// signOut ends the browser session on the server and clears the cookie.
func (s *server) signOut(c *fiber.Ctx) error {
	if err := s.access.SignOut(c.UserContext(), principal(c)); err != nil {
		return err
	}
	clearSessionCookie(c, s.secure)
	return c.SendStatus(fiber.StatusNoContent)
}

// endSessions ends every session of the caller, this one included.
func (s *server) endSessions(c *fiber.Ctx) error {
	if err := s.access.EndSessions(c.UserContext(), principal(c)); err != nil {
		return err
	}
	clearSessionCookie(c, s.secure)
	return c.SendStatus(fiber.StatusNoContent)
}

// changePassword sets the caller's password and ends their other
// sessions.
func (s *server) changePassword(c *fiber.Ctx) error {
	var in shared.PasswordChange
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if err := s.access.ChangePassword(c.UserContext(), principal(c), in, c.IP()); err != nil {
		return rightsProblem(err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func clearSessionCookie(c *fiber.Ctx, secure bool) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, Secure: secure,
		SameSite: fiber.CookieSameSiteStrictMode})
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
