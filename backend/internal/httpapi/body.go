package httpapi

import (
	"io"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/shared"
)

// proxyRoute is the pattern of the proxy's route, whose bodies may be up
// to MaxProxyBodyBytes.
const proxyRoute = "/api/v1/connections/:ref/proxy/*"

// drainBytes is how much of a body nobody read is read and dropped so
// that the connection can serve another request; a longer rest closes it.
const drainBytes = 64 << 10

// How long a connection closed after its answer is kept open for the
// client to read the answer, and how much of the rest of a body is read
// meanwhile (see closeAfterAnswer).
const (
	lingerTime  = 500 * time.Millisecond
	lingerBytes = 1 << 20
)

// limitBody holds a request's body to its route's cap before anything
// reads it: fasthttp reads a body only when asked (StreamRequestBody).
// A declared length over the cap is refused at once. Any route but the
// proxy gets its body read here, through a limit, so that c.Body() never
// reads more and nobody can make the server hold more than MaxBodyBytes
// without signing in. The proxy reads its own body with readBody once the
// caller is known.
func (s *server) limitBody(c *fiber.Ctx) error {
	defer finishBody(c)
	limit, proxied := bodyLimit(c.Path())
	if c.Request().Header.ContentLength() > limit {
		return tooLarge(limit)
	}
	if proxied {
		return c.Next()
	}
	// Fiber's c.Body() would expand a compressed body without limit.
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return problem(shared.CodeUnsupportedMedia,
			"Send the body without Content-Encoding; compressed bodies are not accepted here.")
	}
	if _, err := readBody(c, limit); err != nil {
		return err
	}
	return c.Next()
}

// bodyLimit returns the largest body a path's route takes, and whether
// the route is the proxy's.
func bodyLimit(path string) (int, bool) {
	if matchRoute(proxyRoute, path) {
		return MaxProxyBodyBytes, true
	}
	return MaxBodyBytes, false
}

// readBody reads the request's body, at most limit bytes, and keeps it
// for c.Body(). A longer body is refused; finishBody deals with the rest.
func readBody(c *fiber.Ctx, limit int) ([]byte, error) {
	req := c.Request()
	stream := req.BodyStream()
	if stream == nil {
		// No body, or one read already.
		if b := req.Body(); len(b) <= limit {
			return b, nil
		}
		return nil, tooLarge(limit)
	}
	var b []byte
	var err error
	if n := req.Header.ContentLength(); n >= 0 && n <= limit {
		b = make([]byte, n)
		_, err = io.ReadFull(stream, b)
	} else {
		// Chunked: its length is known only at its end.
		b, err = io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	}
	if err != nil {
		return nil, problem(shared.CodeInvalidJSON,
			"The request body could not be read: it ended early, or its chunks are malformed.")
	}
	if len(b) > limit {
		return nil, tooLarge(limit)
	}
	req.SetBodyRaw(b)
	return b, nil
}

// finishBody makes sure that what is left of a body nobody read is not
// parsed as the next request on the connection, as fasthttp would parse
// it: a short rest is read and dropped, a longer one closes the
// connection after the answer.
func finishBody(c *fiber.Ctx) {
	req := c.Request()
	stream := req.BodyStream()
	if stream == nil {
		return
	}
	if req.Header.ContentLength() > drainBytes {
		closeAfterAnswer(c)
	} else if n, err := io.Copy(io.Discard, io.LimitReader(stream, drainBytes+1)); err != nil || n > drainBytes {
		closeAfterAnswer(c)
	}
	_ = req.CloseBodyStream()
}

// closeAfterAnswer ends the connection once the answer is sent, in stages
// (RFC 9112 section 9.6): first the sending side, then, once the client
// closes its side or had time to read the answer, the rest. Closed at
// once with a body still coming in, the connection would be reset, and a
// client still sending (Go's net/http does) would see the reset instead
// of the answer. Past lingerBytes the body is no longer read: the
// client's sending stalls until the connection closes.
func closeAfterAnswer(c *fiber.Ctx) {
	raw := c.Context().Conn()
	c.Context().Hijack(func(conn net.Conn) {
		if hc, ok := raw.(interface{ CloseWrite() error }); ok {
			_ = hc.CloseWrite()
		}
		deadline := time.Now().Add(lingerTime)
		_ = conn.SetReadDeadline(deadline)
		if n, _ := io.Copy(io.Discard, io.LimitReader(conn, lingerBytes)); n >= lingerBytes {
			time.Sleep(time.Until(deadline))
		}
	})
}

// tooLarge is the problem of a body over limit bytes.
func tooLarge(limit int) error {
	size := "1 MiB"
	if limit == MaxProxyBodyBytes {
		size = "32 MiB"
	}
	return problem(shared.CodeBodyTooLarge, "The request body may be at most "+size+" here.")
}
