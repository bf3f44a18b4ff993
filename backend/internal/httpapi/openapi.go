package httpapi

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openapiDoc is the OpenAPI 3.1 description of the JSON API. A test
// compares it with the routes New registers and checks real answers
// against it, so a route changed here must be described there too.
//
//go:embed openapi.json
var openapiDoc []byte

// openapi serves the API's description. It needs no authentication: it
// holds nothing an anonymous caller could not learn by trying.
func (s *server) openapi(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(openapiDoc)
}
