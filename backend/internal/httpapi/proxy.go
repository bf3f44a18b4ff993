package httpapi

import (
	"bytes"
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

// proxy forwards a request to a connection's service and streams the
// answer back.
func (s *server) proxy(c *fiber.Ctx) error {
	if len(c.Body()) > MaxProxyBodyBytes {
		return problem(shared.CodeBodyTooLarge, "A proxied request body may be at most 32 MiB.")
	}
	pr := lifecycle.ProxyRequest{
		Method:   c.Method(),
		Path:     proxiedPath(c),
		RawQuery: string(c.Request().URI().QueryString()),
		Header:   forwardHeaders(&c.Request().Header),
		Body:     bytes.Clone(c.Body()),
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
		if hopByHop[name] || callerOnly[name] || drop[name] {
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
