// Package server assembles Plugboard from its parts (store, sealing keys,
// catalog, outbound client, lifecycle, HTTP edge, web app) and runs it.
// The command in backend/cmd/plugboard and the end-to-end tests both
// start servers through it.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/app/ui"
	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/catalog"
	"github.com/plugboard/plugboard/backend/internal/httpapi"
	"github.com/plugboard/plugboard/backend/internal/lifecycle"
	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/backend/internal/seal"
	"github.com/plugboard/plugboard/backend/internal/store"
)

// Background work.
const (
	// sweepEvery is how often expired sessions and flow states are
	// deleted.
	sweepEvery = 10 * time.Minute
	// usageEvery is how often connections' last-use times are written.
	usageEvery = 30 * time.Second
	// maxProxyResponse caps a proxied answer's body.
	maxProxyResponse = 256 << 20
)

// Server is a running Plugboard.
type Server struct {
	cfg      Config
	log      *slog.Logger
	embedded *store.Embedded
	store    *store.Store
	mongoURI string
	app      *fiber.App
	ln       net.Listener
	served   chan error
	stop     context.CancelFunc
	access   *access.Service
	mgr      *lifecycle.Manager
	// shutdown makes a second Shutdown return the first one's result.
	shutdown    sync.Once
	shutdownErr error
	// Boot is what this start prepared for signing in.
	Boot access.Bootstrap
}

// Start sets Plugboard up and starts serving. notice receives the
// messages meant for the person who started it (the first API key, the
// sign-in link), which never go to the log.
func Start(ctx context.Context, cfg Config, log *slog.Logger, notice io.Writer) (*Server, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, served: make(chan error, 1)}
	ok := false
	defer func() {
		if !ok {
			s.closeStore(context.WithoutCancel(ctx))
		}
	}()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	s.ln = ln
	if derivedPublicURL(cfg) {
		s.cfg.PublicURL = "http://" + ln.Addr().String()
	}

	keys, err := loadKeys(cfg)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if err := s.openStore(ctx); err != nil {
		ln.Close()
		return nil, err
	}
	if err := checkKeys(ctx, s.store, keys); err != nil {
		ln.Close()
		return nil, err
	}
	cat, err := catalog.Load(cfg.CatalogDir)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	allow, err := outbound.ParseAllowList(cfg.AllowHosts)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("PLUGBOARD_ALLOW_HOSTS: %w", err)
	}

	trail := audit.New(s.store, log)
	mgr := lifecycle.New(lifecycle.Config{
		Store:    s.store,
		Audit:    trail,
		Keys:     keys,
		Catalog:  cat,
		Outbound: outbound.New(outbound.Config{Allow: allow, Timeout: cfg.OutboundTimeout}),
		// Proxied answers are streamed: the timeout bounds the wait for
		// their headers, and bodies may be large.
		ProxyOutbound: outbound.New(outbound.Config{
			Allow: allow, Timeout: cfg.OutboundTimeout, MaxResponseBytes: maxProxyResponse,
			KeepEncoding: true,
		}),
		CallbackURL: s.cfg.CallbackURL(),
		Log:         log,
	})
	acc := access.New(s.store, trail)
	s.access = acc
	s.Boot, err = acc.Bootstrap(ctx, cfg.APIKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("prepare users: %w", err)
	}
	ui.RegisterRoutes()
	s.app = httpapi.New(httpapi.Config{
		Manager:   mgr,
		Access:    acc,
		Audit:     trail,
		Log:       log,
		PublicURL: s.cfg.PublicURL,
		Version:   cfg.Version,
		UI:        ui.Handler(),
	})

	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	go func() { s.served <- s.app.Listener(ln) }()
	s.mgr = mgr
	go s.sweep(runCtx)
	go s.recordUsage(runCtx)
	ok = true

	log.Info("plugboard started",
		"listen", ln.Addr().String(),
		"public_url", s.cfg.PublicURL,
		"store", s.storeName(),
		"callback_url", s.cfg.CallbackURL(),
		"catalog_services", cat.Len(),
		"key_id", keys.Primary().ID)
	s.printNotice(notice)
	return s, nil
}

func derivedPublicURL(cfg Config) bool {
	u, err := url.Parse(cfg.PublicURL)
	return err == nil && strings.HasSuffix(u.Host, ":0")
}

// URL is the address the server is reached at.
func (s *Server) URL() string { return s.cfg.PublicURL }

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// MongoURI is the address of the database this server uses, the embedded
// one or MONGODB_URI. Tests use it to start a second instance on the same
// database and to look at the stored documents.
func (s *Server) MongoURI() string { return s.mongoURI }

// CreateOwner adds another owner and returns its id and API key. It is the
// seed of multi-user support; tests use it to check that owners cannot
// reach each other's records.
func (s *Server) CreateOwner(ctx context.Context, name string) (id, key string, err error) {
	return s.access.CreateOwner(ctx, name)
}

// printNotice tells the person how to sign in: with the one-time link
// while no admin has a password, else with a username and password.
func (s *Server) printNotice(w io.Writer) {
	if w == nil {
		return
	}
	if s.Boot.APIKey != "" {
		fmt.Fprintf(w, "\nYour API key (shown only this once; keep it safe):\n\n    %s\n", s.Boot.APIKey)
	}
	if s.Boot.LoginToken == "" {
		fmt.Fprintf(w, "\nSign in at %s with your username and password; "+
			"`plugboard signin-link <username>` issues a one-time sign-in link.\n\n",
			signInURL(s.cfg.PublicURL))
		return
	}
	fmt.Fprintf(w, "\nSign in to the web app with this one-time link (valid for %s):\n\n    %s\n\n",
		access.LoginTokenTTL, signInLink(s.cfg.PublicURL, s.Boot.LoginToken))
}

func (s *Server) openStore(ctx context.Context) error {
	uri, database := s.cfg.MongoURI, "plugboard"
	if uri == "" {
		e, err := store.StartEmbedded(ctx, s.cfg.DataDir, s.log)
		if err != nil {
			return err
		}
		s.embedded = e
		uri = e.URI()
	} else if u, err := url.Parse(uri); err == nil && strings.Trim(u.Path, "/") != "" {
		database = strings.Trim(u.Path, "/")
	}
	st, err := store.Open(ctx, uri, database)
	if err != nil {
		return err
	}
	s.store, s.mongoURI = st, uri
	return nil
}

func (s *Server) storeName() string {
	if s.embedded != nil {
		abs, _ := filepath.Abs(s.cfg.DataDir)
		return "embedded FerretDB (SQLite in " + filepath.Join(abs, "db") + ")"
	}
	return "MongoDB (MONGODB_URI)"
}

// sweep deletes expired records now and then; queries ignore them anyway.
func (s *Server) sweep(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := s.store.Sweep(ctx, now.UTC()); err != nil && ctx.Err() == nil {
				s.log.Warn("sweep expired records", "err", err)
			}
		}
	}
}

// recordUsage writes connections' last-use times now and then, and once
// more when the server stops.
func (s *Server) recordUsage(ctx context.Context) {
	t := time.NewTicker(usageEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.mgr.FlushUsage(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("record connection use", "err", err)
			}
		}
	}
}

// Shutdown stops accepting requests, lets those in flight finish until
// ctx ends, and closes the store. Calling it again returns the first
// call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdown.Do(func() { s.shutdownErr = s.shutdownOnce(ctx) })
	return s.shutdownErr
}

func (s *Server) shutdownOnce(ctx context.Context) error {
	s.stop()
	err := s.app.ShutdownWithContext(ctx)
	// Shutdown only closes listeners the server has begun to serve; one
	// started a moment ago may not be yet, so close it here too.
	_ = s.ln.Close()
	select {
	case <-s.served:
	case <-ctx.Done():
	}
	if ferr := s.mgr.FlushUsage(ctx); ferr != nil {
		s.log.Warn("record connection use", "err", ferr)
	}
	s.closeStore(ctx)
	return err
}

// Done yields the serving error if the server stops on its own.
func (s *Server) Done() <-chan error { return s.served }

func (s *Server) closeStore(ctx context.Context) {
	if s.store != nil {
		if err := s.store.Close(ctx); err != nil {
			s.log.Warn("close store", "err", err)
		}
		s.store = nil
	}
	if s.embedded != nil {
		s.embedded.Stop()
		s.embedded = nil
	}
}

// loadKeys returns the sealing keys: the configured ones, or the key file
// in the data folder, created on first start.
func loadKeys(cfg Config) (*seal.Keyring, error) {
	if cfg.SecretKey != "" {
		keys, err := seal.ParseKeys(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("PLUGBOARD_SECRET_KEY: %w", err)
		}
		return seal.NewKeyring(keys[0], keys[1:]...), nil
	}
	key, _, err := seal.LoadOrCreateKeyFile(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	return seal.NewKeyring(key), nil
}

var errWrongKey = errors.New("the configured secret key cannot open the data already stored")
