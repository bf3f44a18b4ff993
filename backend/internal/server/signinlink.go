package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/backend/internal/audit"
)

// signInPath is the web app's sign-in page; a "#token=" fragment on it
// signs in with a one-time token, which the page then drops from the
// address. A fragment is never sent to the server nor in a Referer.
const signInPath = "/signin"

// signInURL is the address of the sign-in page under publicURL.
func signInURL(publicURL string) string {
	return strings.TrimSuffix(publicURL, "/") + signInPath
}

// signInLink is the address that signs in with a one-time token.
func signInLink(publicURL, token string) string {
	return signInURL(publicURL) + "#token=" + token
}

// SignInLink issues a one-time sign-in link for the user with the given
// username and returns its address, valid for access.LoginTokenTTL. The
// audit trail records it. It is how an admin who has a password but
// cannot use it, or a user who signs in only with links, gets in. With
// the embedded database the server must be stopped first, since both
// would open the same files; with MongoDB it may run while servers do.
func SignInLink(ctx context.Context, cfg Config, log *slog.Logger, username string) (string, error) {
	if err := cfg.normalize(); err != nil {
		return "", err
	}
	// A mistyped data folder would otherwise start a new, empty database
	// there and answer that no such user exists.
	if cfg.MongoURI == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "db")); err != nil {
			return "", fmt.Errorf("no database in the data folder %q; is it the server's? %w", cfg.DataDir, err)
		}
	}
	s := &Server{cfg: cfg, log: log}
	defer s.closeStore(context.WithoutCancel(ctx))
	if err := s.openStore(ctx); err != nil {
		return "", err
	}

	acc := access.New(s.store, audit.New(s.store, log))
	tok, err := acc.IssueSignInToken(audit.WithActor(ctx, audit.System), username)
	switch {
	case errors.Is(err, access.ErrUserNotFound):
		return "", fmt.Errorf("no user has the username %q: %w", username, err)
	case errors.Is(err, access.ErrDisabled):
		return "", fmt.Errorf("user %q is disabled; an admin must enable them first: %w", username, err)
	case err != nil:
		return "", err
	}
	return signInLink(s.cfg.PublicURL, tok), nil
}
