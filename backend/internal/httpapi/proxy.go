package httpapi

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/plugboard/plugboard/backend/internal/lifecycle"
	"github.com/plugboard/plugboard/shared"
)

// MaxProxyBodyBytes caps the body of a proxied request.
const MaxProxyBodyBytes = 32 << 20

// hopByHop are the headers that concern one connection only (RFC 9110
// section 7.6.1) and are never forwarded.
var hopByHop = map[string]bool{
	"Connection":          true,
	"Proxy-Connection":    true,
	"Keep-Alive":          true,
	"Proxy-Authenticate":  true,
	"Proxy-Authorization": true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// callerOnly are request headers meant for Plugboard, never for the
// service: the caller's own credentials and Plugboard's CSRF header. Keys
// are in canonical form, as forwardHeaders looks them up.
var callerOnly = map[string]bool{
	"Authorization":  true,
	"Cookie":         true,
	"Host":           true,
	"Content-Length": true,
	textproto.CanonicalMIMEHeaderKey(CSRFHeader): true,
}

// addressClaims are request headers in which a client or a proxy in
// front of a server states where a request came from or what it first
// asked for. Plugboard is the service's client, not a proxy the service
// trusts: a caller's claims are dropped, never relayed as Plugboard's.
var addressClaims = map[string]bool{
	"Forwarded":          true,
	"X-Forwarded-For":    true,
	"X-Forwarded-Host":   true,
	"X-Forwarded-Proto":  true,
	"X-Forwarded-Port":   true,
	"X-Forwarded-Prefix": true,
	"X-Forwarded-Ssl":    true,
	"X-Real-Ip":          true,
	"X-Client-Ip":        true,
	"True-Client-Ip":     true,
	// Some servers route by these instead of the request's own path,
	// which would pass by the check of the proxied path.
	"X-Original-Url": true,
	"X-Rewrite-Url":  true,
}

// proxy forwards a request to a connection's service and streams the
// answer back. The body, up to MaxProxyBodyBytes, is read only now that
// the caller is known.
func (s *server) proxy(c *fiber.Ctx) error {
	// TRACE echoes the request, credentials Plugboard added included,
	// back to the caller (who may be a user the connection is shared
	// with); CONNECT would open a tunnel past the guarded client.
	if m := c.Method(); m == fiber.MethodTrace || m == fiber.MethodConnect {
		c.Set(fiber.HeaderAllow, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
		return problem(shared.CodeMethodNotAllowed,
			"The proxy does not forward "+m+" requests: they would echo or tunnel the connection's credentials.")
	}
	if err := checkProxyCSRF(c); err != nil {
		return err
	}
	body, err := readBody(c, MaxProxyBodyBytes)
	if err != nil {
		return err
	}
	pr := lifecycle.ProxyRequest{
		Method:   c.Method(),
		Path:     proxiedPath(c),
		RawQuery: string(c.Request().URI().QueryString()),
		Header:   forwardHeaders(&c.Request().Header),
		Body:     body,
	}
	resp, err := s.m.Proxy(c.UserContext(), owner(c), c.Params("ref"), pr)
	if err != nil {
		return err
	}

	c.Status(resp.StatusCode)
	drop := connectionTokens(resp.Header)
	for k, vs := range resp.Header {
		if hopByHop[k] || drop[k] || k == "Set-Cookie" || k == "Content-Length" {
			continue
		}
		for _, v := range vs {
			c.Response().Header.Add(k, v)
		}
	}
	// The answer comes from another site but is served from Plugboard's
	// origin: a sandbox keeps any page in it from running as Plugboard.
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	c.Context().SetBodyStream(resp.Body, int(resp.ContentLength))
	return nil
}

// checkProxyCSRF asks a browser session for its CSRF token on every
// method but GET and HEAD: whatever a service does with OPTIONS or
// another method it defines, another site must not make a signed-in
// browser send it.
func checkProxyCSRF(c *fiber.Ctx) error {
	if m := c.Method(); m == fiber.MethodGet || m == fiber.MethodHead {
		return nil
	}
	p := principal(c)
	if p.CSRF() == "" || p.CheckCSRF(c.Get(CSRFHeader)) {
		return nil // an API key, or a session that sent its token
	}
	return problem(shared.CodeForbidden, "The request lacks the session's CSRF token, or has a wrong one, in the "+
		CSRFHeader+" header; reload the page to get a fresh one.")
}

// proxiedPath is the escaped path after .../proxy/.
func proxiedPath(c *fiber.Ctx) string {
	full := string(c.Request().URI().PathOriginal())
	marker := "/proxy/"
	if i := strings.Index(full, marker); i >= 0 {
		return full[i+len(marker):]
	}
	return ""
}

// forwardHeaders copies the end-to-end headers of a request.
func forwardHeaders(h *fasthttp.RequestHeader) http.Header {
	out := http.Header{}
	var drop map[string]bool
	if conn := h.Peek("Connection"); len(conn) > 0 {
		drop = connectionTokens(http.Header{"Connection": {string(conn)}})
	}
	h.VisitAll(func(k, v []byte) {
		name := textproto.CanonicalMIMEHeaderKey(string(k))
		if hopByHop[name] || callerOnly[name] || addressClaims[name] || drop[name] {
			return
		}
		out.Add(name, string(v))
	})
	return out
}

// connectionTokens lists the headers named in Connection, which are
// hop-by-hop too (RFC 9110 section 7.6.1).
func connectionTokens(h http.Header) map[string]bool {
	var out map[string]bool
	for _, v := range h.Values("Connection") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				if out == nil {
					out = map[string]bool{}
				}
				out[textproto.CanonicalMIMEHeaderKey(f)] = true
			}
		}
	}
	return out
}
