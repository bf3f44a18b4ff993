package httpapi

import (
	"net/http"
	"net/textproto"
	"net/url"
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
	// The service is called by Plugboard, not by the caller's page.
	"Origin":  true,
	"Referer": true,
	textproto.CanonicalMIMEHeaderKey(CSRFHeader): true,
}

// addressClaims are request headers in which a client or a proxy in
// front of a server states where a request came from or what it first
// asked for. Plugboard is the service's client, not a proxy the service
// trusts: a caller's claims are dropped, never relayed as Plugboard's.
var addressClaims = map[string]bool{
	"Forwarded":                true,
	"X-Forwarded-For":          true,
	"X-Forwarded-Host":         true,
	"X-Forwarded-Proto":        true,
	"X-Forwarded-Port":         true,
	"X-Forwarded-Prefix":       true,
	"X-Forwarded-Ssl":          true,
	"X-Real-Ip":                true,
	"X-Client-Ip":              true,
	"True-Client-Ip":           true,
	"Client-Ip":                true,
	"Cf-Connecting-Ip":         true,
	"Fastly-Client-Ip":         true,
	"X-Cluster-Client-Ip":      true,
	"X-Envoy-External-Address": true,
	"X-Forwarded-Server":       true,
	"X-Forwarded-Uri":          true,
	"X-Host":                   true,
	"X-Original-Host":          true,
	"Via":                      true,
	// Some servers route by these instead of the request's own path,
	// which would pass by the check of the proxied path.
	"X-Original-Url": true,
	"X-Rewrite-Url":  true,
	// Some frameworks take the method from these instead of the request
	// line, which would pass by the refusal of TRACE and CONNECT.
	"X-Http-Method-Override": true,
	"X-Http-Method":          true,
	"X-Method-Override":      true,
}

// browserPolicy are answer headers by which a service would set how a
// browser treats Plugboard's origin, not describe its answer: cross-origin
// access, cookies, stored data, redirects, framing, content and transport
// policies, service workers and preloads. They are dropped from proxied
// answers; Plugboard's own security headers stand instead.
var browserPolicy = map[string]bool{
	"Set-Cookie":                          true,
	"Clear-Site-Data":                     true,
	"Refresh":                             true,
	"Strict-Transport-Security":           true,
	"Alt-Svc":                             true,
	"Link":                                true,
	"Service-Worker-Allowed":              true,
	"X-Frame-Options":                     true,
	"Content-Security-Policy":             true,
	"Content-Security-Policy-Report-Only": true,
	"Permissions-Policy":                  true,
	"Feature-Policy":                      true,
	"Cross-Origin-Opener-Policy":          true,
	"Cross-Origin-Embedder-Policy":        true,
	"Cross-Origin-Resource-Policy":        true,
	"Origin-Agent-Cluster":                true,
	"Timing-Allow-Origin":                 true,
	"Referrer-Policy":                     true,
	"X-Content-Type-Options":              true,
	"X-Xss-Protection":                    true,
	"X-Dns-Prefetch-Control":              true,
	"X-Permitted-Cross-Domain-Policies":   true,
}

// dropAnswerHeader reports whether a service's answer header stays out
// of the proxied answer.
func dropAnswerHeader(name string) bool {
	return hopByHop[name] || browserPolicy[name] || name == "Content-Length" ||
		strings.HasPrefix(name, "Access-Control-")
}

// oddProxyPath is the problem of a proxy address whose raw form does not
// show plainly where the proxied path starts.
func oddProxyPath() error {
	return problem(shared.CodeValidation, "Write the address as /api/v1/connections/<ref>/proxy/<path>, without "+
		"\".\" or \"..\" segments or doubled slashes before <path>.")
}

// proxyMethods are the methods the proxy forwards, for its Allow header.
var proxyMethods = []string{
	fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut,
	fiber.MethodPatch, fiber.MethodDelete, fiber.MethodOptions,
}

// tunnelLine reports whether a request line asks for a tunnel: CONNECT
// with a host and port for its target (RFC 9110 section 9.3.6), which no
// route of Plugboard's takes.
func tunnelLine(fc *fasthttp.RequestCtx) bool {
	uri := fc.RequestURI()
	return string(fc.Method()) == fiber.MethodConnect && (len(uri) == 0 || uri[0] != '/')
}

// proxy forwards a request to a connection's service and streams the
// answer back. The body, up to MaxProxyBodyBytes, is read only now that
// the caller is known.
func (s *server) proxy(c *fiber.Ctx) error {
	// TRACE echoes the request, credentials Plugboard added included,
	// back to the caller (who may be a user the connection is shared
	// with); CONNECT would open a tunnel past the guarded client.
	if m := c.Method(); m == fiber.MethodTrace || m == fiber.MethodConnect {
		c.Set(fiber.HeaderAllow, strings.Join(proxyMethods, ", "))
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
	path, err := proxiedPath(c)
	if err != nil {
		return err
	}
	pr := lifecycle.ProxyRequest{
		Method:   c.Method(),
		Path:     path,
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
		if dropAnswerHeader(k) || drop[k] {
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

// proxiedPath is the path after the route's own ".../<ref>/proxy/", still
// escaped as sent. A path that does not spell the route plainly (dot
// segments or doubled slashes before the proxied part, an escaped
// slash in the reference) is refused rather than guessed at.
func proxiedPath(c *fiber.Ctx) (string, error) {
	const prefix = "/api/v1/connections/"
	full := string(c.Request().URI().PathOriginal())
	rest, ok := strings.CutPrefix(full, prefix)
	ref, rest, _ := strings.Cut(rest, "/")
	if name, err := url.PathUnescape(ref); !ok || err != nil || name != c.Params("ref") {
		return "", oddProxyPath()
	}
	if rest == "proxy" {
		return "", nil
	}
	if path, ok := strings.CutPrefix(rest, "proxy/"); ok {
		return path, nil
	}
	return "", oddProxyPath()
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
