package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/plugboard/plugboard/shared"
)

// ListKeys returns the caller's API keys, oldest first, without the keys
// themselves.
func (c *Client) ListKeys(ctx context.Context) ([]shared.APIKey, error) {
	var out struct {
		Keys []shared.APIKey `json:"keys"`
	}
	if err := c.do(ctx, http.MethodGet, prefix+"/keys", nil, &out); err != nil {
		return nil, err
	}
	return out.Keys, nil
}

// CreateKey makes an API key with a name and rights. The answer holds
// the key, which the server never shows again.
func (c *Client) CreateKey(ctx context.Context, in shared.KeyInput) (*shared.NewAPIKey, error) {
	var k shared.NewAPIKey
	if err := c.do(ctx, http.MethodPost, prefix+"/keys", in, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// DeleteKey revokes the API key with the given id; it stops working.
func (c *Client) DeleteKey(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, prefix+"/keys/"+url.PathEscape(id), nil, nil)
}
