package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/plugboard/plugboard/shared"
)

// ListShares returns the users a connection is shared with. Only the
// connection's owner may ask.
func (c *Client) ListShares(ctx context.Context, ref string) ([]shared.Share, error) {
	var out struct {
		Shares []shared.Share `json:"shares"`
	}
	if err := c.do(ctx, http.MethodGet, connectionPath(ref)+"/shares", nil, &out); err != nil {
		return nil, err
	}
	return out.Shares, nil
}

// Share lets the user with id userID call a connection through the
// proxy. The caller must own the connection and be an admin; sharing
// again changes nothing.
func (c *Client) Share(ctx context.Context, ref, userID string) (*shared.Share, error) {
	var s shared.Share
	if err := c.do(ctx, http.MethodPut, sharePath(ref, userID), nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Unshare stops sharing a connection with the user with id userID. A
// connection not shared with them is a 404 problem.
func (c *Client) Unshare(ctx context.Context, ref, userID string) error {
	return c.do(ctx, http.MethodDelete, sharePath(ref, userID), nil, nil)
}

func sharePath(ref, userID string) string {
	return connectionPath(ref) + "/shares/" + url.PathEscape(userID)
}
