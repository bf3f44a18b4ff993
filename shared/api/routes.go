package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/plugboard/plugboard/shared"
)

// prefix starts the path of every API route.
const prefix = "/api/v1"

// Health checks that the server is up. It needs no authentication.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if err := c.do(ctx, http.MethodGet, prefix+"/health", nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// Meta returns facts about the server, such as its OAuth 2.0 callback URL.
func (c *Client) Meta(ctx context.Context) (*Meta, error) {
	var m Meta
	if err := c.do(ctx, http.MethodGet, prefix+"/meta", nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// SignIn starts a browser session. The server sets the session cookie;
// the client keeps the answer's CSRF token for the requests that follow.
func (c *Client) SignIn(ctx context.Context, in SignInRequest) (*Session, error) {
	var s Session
	if err := c.do(ctx, http.MethodPost, prefix+"/session", in, &s); err != nil {
		return nil, err
	}
	c.SetCSRFToken(s.CSRFToken)
	return &s, nil
}

// Session returns the current browser session and keeps its CSRF token.
func (c *Client) Session(ctx context.Context) (*Session, error) {
	var s Session
	if err := c.do(ctx, http.MethodGet, prefix+"/session", nil, &s); err != nil {
		return nil, err
	}
	c.SetCSRFToken(s.CSRFToken)
	return &s, nil
}

// SignOut ends the browser session on the server.
func (c *Client) SignOut(ctx context.Context) error {
	if err := c.do(ctx, http.MethodDelete, prefix+"/session", nil, nil); err != nil {
		return err
	}
	c.SetCSRFToken("")
	return nil
}

// ListServices returns the built-in and custom services that match q,
// sorted by name.
func (c *Client) ListServices(ctx context.Context, q ServiceQuery) ([]shared.Service, error) {
	v := url.Values{}
	setIf(v, "q", q.Q)
	setIf(v, "auth_type", string(q.AuthType))
	setIf(v, "category", q.Category)
	var out struct {
		Services []shared.Service `json:"services"`
	}
	if err := c.do(ctx, http.MethodGet, withQuery(prefix+"/services", v), nil, &out); err != nil {
		return nil, err
	}
	return out.Services, nil
}

// GetService returns the service with the given id.
func (c *Client) GetService(ctx context.Context, id string) (*shared.Service, error) {
	return c.service(ctx, http.MethodGet, servicePath(id), nil)
}

// CreateService adds a custom service. An OAuth 2.0 service given only an
// issuer has its endpoints filled by discovery.
func (c *Client) CreateService(ctx context.Context, svc shared.Service) (*shared.Service, error) {
	return c.service(ctx, http.MethodPost, prefix+"/services", svc)
}

// UpdateService changes the fields of a service that patch sets.
func (c *Client) UpdateService(ctx context.Context, id string, patch ServicePatch) (*shared.Service, error) {
	return c.service(ctx, http.MethodPatch, servicePath(id), patch)
}

// DeleteService removes a custom service that no connection uses.
func (c *Client) DeleteService(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, servicePath(id), nil, nil)
}

func (c *Client) service(ctx context.Context, method, path string, in any) (*shared.Service, error) {
	var s shared.Service
	if err := c.do(ctx, method, path, in, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ListConnections returns the connections that match q, newest first.
func (c *Client) ListConnections(ctx context.Context, q ConnectionQuery) ([]shared.Connection, error) {
	v := url.Values{}
	setIf(v, "q", q.Q)
	setIf(v, "status", string(q.Status))
	setIf(v, "service_id", q.ServiceID)
	var out struct {
		Connections []shared.Connection `json:"connections"`
	}
	if err := c.do(ctx, http.MethodGet, withQuery(prefix+"/connections", v), nil, &out); err != nil {
		return nil, err
	}
	return out.Connections, nil
}

// CreateConnection adds a connection; it starts pending.
func (c *Client) CreateConnection(ctx context.Context, in shared.ConnectionInput) (*shared.Connection, error) {
	return c.connection(ctx, http.MethodPost, prefix+"/connections", in)
}

// GetConnection returns a connection by its id or its link name.
func (c *Client) GetConnection(ctx context.Context, ref string) (*shared.Connection, error) {
	return c.connection(ctx, http.MethodGet, connectionPath(ref), nil)
}

// UpdateConnection changes the fields of a connection that patch sets.
func (c *Client) UpdateConnection(ctx context.Context, ref string, patch shared.ConnectionPatch) (*shared.Connection, error) {
	return c.connection(ctx, http.MethodPatch, connectionPath(ref), patch)
}

// DeleteConnection revokes a connection's grant and removes it.
func (c *Client) DeleteConnection(ctx context.Context, ref string) error {
	return c.do(ctx, http.MethodDelete, connectionPath(ref), nil, nil)
}

func (c *Client) connection(ctx context.Context, method, path string, in any) (*shared.Connection, error) {
	var conn shared.Connection
	if err := c.do(ctx, method, path, in, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// Events returns a connection's history, newest first.
func (c *Client) Events(ctx context.Context, ref string) ([]shared.Event, error) {
	var out struct {
		Events []shared.Event `json:"events"`
	}
	if err := c.do(ctx, http.MethodGet, connectionPath(ref)+"/events", nil, &out); err != nil {
		return nil, err
	}
	return out.Events, nil
}

// Authorize starts or completes a connection's authorization. For OAuth
// 2.0 params must be nil, and the result holds the address to send the
// person to. For Basic Auth and API keys params holds the credentials by
// their actual parameter names; the result holds the connection once the
// service accepted them, and a 422 credentials_rejected problem says it
// did not.
func (c *Client) Authorize(ctx context.Context, ref string, params map[string]string) (*AuthorizeResult, error) {
	var in any
	if params != nil {
		in = struct {
			Params map[string]string `json:"params"`
		}{params}
	}
	var out AuthorizeResult
	if err := c.do(ctx, http.MethodPost, connectionPath(ref)+"/authorize", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Verify checks a connection's stored credentials against the service.
func (c *Client) Verify(ctx context.Context, ref string) (*shared.Connection, error) {
	return c.action(ctx, connectionPath(ref)+"/verify")
}

// Revoke ends a connection's authorization; the connection stays, with
// status revoked, and can be authorized again.
func (c *Client) Revoke(ctx context.Context, ref string) (*shared.Connection, error) {
	return c.action(ctx, connectionPath(ref)+"/revoke")
}

func (c *Client) action(ctx context.Context, path string) (*shared.Connection, error) {
	var out struct {
		Connection shared.Connection `json:"connection"`
	}
	if err := c.do(ctx, http.MethodPost, path, nil, &out); err != nil {
		return nil, err
	}
	return &out.Connection, nil
}

// Token returns a connection's current access token, refreshed first when
// it is about to expire.
func (c *Client) Token(ctx context.Context, ref string) (*Token, error) {
	var t Token
	if err := c.do(ctx, http.MethodGet, connectionPath(ref)+"/token", nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

func servicePath(id string) string {
	return prefix + "/services/" + url.PathEscape(id)
}

func connectionPath(ref string) string {
	return prefix + "/connections/" + url.PathEscape(ref)
}

func setIf(v url.Values, key, value string) {
	if value != "" {
		v.Set(key, value)
	}
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
