package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// connectionAnswer wraps a connection for the action routes, which may
// answer more than the connection later.
type connectionAnswer struct {
	Connection shared.Connection `json:"connection"`
}

func (s *server) listConnections(c *fiber.Ctx) error {
	q := store.ConnectionQuery{
		Text:      c.Query("q"),
		Status:    shared.Status(c.Query("status")),
		ServiceID: c.Query("service_id"),
	}
	switch q.Status {
	case "", shared.StatusPending, shared.StatusConnected, shared.StatusNeedsReauth, shared.StatusRevoked:
	default:
		return fieldProblem("status", "must be one of pending, connected, needs_reauth, revoked")
	}
	if msg := checkSearch(q.Text); msg != "" {
		return fieldProblem("q", msg)
	}
	list, err := s.m.Connections(c.UserContext(), owner(c), q)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"connections": nonNil(list)})
}

func (s *server) createConnection(c *fiber.Ctx) error {
	var in shared.ConnectionInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	conn, err := s.m.CreateConnection(c.UserContext(), owner(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/connections/" + conn.ID)
	return c.Status(fiber.StatusCreated).JSON(conn)
}

func (s *server) getConnection(c *fiber.Ctx) error {
	conn, err := s.m.Connection(c.UserContext(), owner(c), c.Params("ref"))
	if err != nil {
		return err
	}
	return c.JSON(conn)
}

func (s *server) updateConnection(c *fiber.Ctx) error {
	var p shared.ConnectionPatch
	if err := decodeBody(c, &p); err != nil {
		return err
	}
	// Settings fill placeholders in the service's addresses (a shop or
	// subdomain name), so they too say where credentials are sent.
	if p.Config != nil && !principal(c).CanAll() {
		return problem(shared.CodeForbidden, "Changing a connection's settings can change where its "+
			"credentials are sent, so it needs an API key with every right (read, manage and use), or a browser signed in with a password or a sign-in link.")
	}
	conn, err := s.m.UpdateConnection(c.UserContext(), owner(c), c.Params("ref"), p)
	if err != nil {
		return err
	}
	return c.JSON(conn)
}

func (s *server) deleteConnection(c *fiber.Ctx) error {
	if err := s.m.DeleteConnection(c.UserContext(), owner(c), c.Params("ref")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) listEvents(c *fiber.Ctx) error {
	events, err := s.m.Events(c.UserContext(), owner(c), c.Params("ref"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"events": nonNil(events)})
}

func (s *server) revoke(c *fiber.Ctx) error {
	conn, err := s.m.Revoke(c.UserContext(), owner(c), c.Params("ref"))
	if err != nil {
		return err
	}
	return c.JSON(connectionAnswer{Connection: conn})
}
