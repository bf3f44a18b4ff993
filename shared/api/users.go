package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/plugboard/plugboard/shared"
)

// ListUsers returns every user, oldest first. Only admins may list users;
// members get a 403 forbidden problem.
func (c *Client) ListUsers(ctx context.Context) ([]shared.User, error) {
	var out struct {
		Users []shared.User `json:"users"`
	}
	if err := c.do(ctx, http.MethodGet, prefix+"/users", nil, &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}

// CreateUser adds a user with a first password (admins only). A taken
// username is a 409 duplicate_username problem.
func (c *Client) CreateUser(ctx context.Context, in shared.UserInput) (*shared.User, error) {
	return c.user(ctx, http.MethodPost, prefix+"/users", in)
}

// GetUser returns the user with the given id (admins only).
func (c *Client) GetUser(ctx context.Context, id string) (*shared.User, error) {
	return c.user(ctx, http.MethodGet, userPath(id), nil)
}

// UpdateUser changes the fields of a user that patch sets (admins only).
// Disabling or demoting the last active admin is a 409 last_admin
// problem.
func (c *Client) UpdateUser(ctx context.Context, id string, patch shared.UserPatch) (*shared.User, error) {
	return c.user(ctx, http.MethodPatch, userPath(id), patch)
}

// DeleteUser removes a user (admins only). A user who still owns
// services or connections is a 409 user_has_records problem.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, userPath(id), nil, nil)
}

func (c *Client) user(ctx context.Context, method, path string, in any) (*shared.User, error) {
	var u shared.User
	if err := c.do(ctx, method, path, in, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// ChangePassword changes the caller's own password and ends their other
// sessions. A wrong current password is a 422 validation_failed problem
// on the field current_password.
func (c *Client) ChangePassword(ctx context.Context, in shared.PasswordChange) error {
	return c.do(ctx, http.MethodPut, prefix+"/account/password", in, nil)
}

// EndSessions ends every session of the caller, this one included: it
// signs them out everywhere.
func (c *Client) EndSessions(ctx context.Context) error {
	if err := c.do(ctx, http.MethodDelete, prefix+"/sessions", nil, nil); err != nil {
		return err
	}
	c.SetCSRFToken("")
	return nil
}

func userPath(id string) string {
	return prefix + "/users/" + url.PathEscape(id)
}
