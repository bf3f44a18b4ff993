// Command plugboard runs the Plugboard server: the JSON API, the OAuth 2.0
// callback and the web app. Run it from the repository root, where web/
// holds the built app. Every setting is an environment variable with a
// flag of the same meaning; see README.md.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/backend/internal/server"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// shutdownGrace is how long requests in flight may take to finish.
const shutdownGrace = 20 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "plugboard:", err)
		os.Exit(1)
	}
}

func run() error {
	cmd := "serve"
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		// Read the command before the arguments after it move into its
		// place: the order of the two in one assignment is unspecified.
		cmd = os.Args[1]
		os.Args = append(os.Args[:1], os.Args[2:]...)
	}
	switch cmd {
	case "serve", "reseal", "signin-link":
	case "keygen":
		return keygen()
	default:
		return fmt.Errorf("unknown command %q; use serve (the default), keygen, reseal or signin-link", cmd)
	}
	cfg := server.Config{Version: version}
	fs := flag.NewFlagSet("plugboard "+cmd, flag.ExitOnError)
	if cmd == "signin-link" {
		fs.Usage = signInLinkUsage(fs)
	}
	str := func(p *string, name, env, usage string) {
		fs.StringVar(p, name, os.Getenv(env), usage+" ("+env+")")
	}
	str(&cfg.Addr, "addr", "PLUGBOARD_ADDR", "listen address, default "+server.DefaultAddr)
	str(&cfg.PublicURL, "public-url", "PLUGBOARD_PUBLIC_URL", "public base URL; the OAuth callback is <public URL>/oauth/callback")
	str(&cfg.DataDir, "data-dir", "PLUGBOARD_DATA_DIR", "data folder, default "+server.DefaultDataDir)
	str(&cfg.MongoURI, "mongodb-uri", "MONGODB_URI", "MongoDB to use instead of the embedded database")
	str(&cfg.SecretKey, "secret-key", "PLUGBOARD_SECRET_KEY", "base64 AES-256 keys, comma-separated, first seals (prefer the variable: flags show in ps)")
	str(&cfg.LogLevel, "log-level", "PLUGBOARD_LOG_LEVEL", "debug, info, warn or error")
	str(&cfg.APIKey, "api-key", "PLUGBOARD_API_KEY", "the first admin's API key, at the first start")
	str(&cfg.AllowHosts, "allow-hosts", "PLUGBOARD_ALLOW_HOSTS", "private hosts, addresses and CIDRs outbound requests may reach")
	str(&cfg.CatalogDir, "catalog-dir", "PLUGBOARD_CATALOG_DIR", "folder of catalog entries that add to or replace built-in ones")
	outTimeout, err := envDuration("PLUGBOARD_OUTBOUND_TIMEOUT")
	if err != nil {
		return err
	}
	fs.DurationVar(&cfg.OutboundTimeout, "outbound-timeout", outTimeout,
		"time limit of each request to a service, such as 10s; default 30s (PLUGBOARD_OUTBOUND_TIMEOUT)")
	_ = fs.Parse(os.Args[1:])
	var username string
	if cmd == "signin-link" {
		if username, err = usernameArg(fs); err != nil {
			return err
		}
	}

	level := new(slog.LevelVar)
	if err := level.UnmarshalText([]byte(orDefault(cfg.LogLevel, "info"))); err != nil {
		return fmt.Errorf("PLUGBOARD_LOG_LEVEL must be debug, info, warn or error, got %q", cfg.LogLevel)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if cmd == "signin-link" {
		return signInLink(ctx, cfg, log, username)
	}
	if cmd == "reseal" {
		rep, err := server.Reseal(ctx, cfg, log)
		if err != nil {
			return fmt.Errorf("reseal: %w", err)
		}
		fmt.Printf("re-sealed %d client secrets, %d credentials, %d flow states; %d changed meanwhile and were left to their writers\n",
			rep.Services, rep.Credentials, rep.States, rep.Skipped)
		return nil
	}
	srv, err := server.Start(ctx, cfg, log, os.Stdout)
	if err != nil {
		return err
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", shutdownGrace)
	case err := <-srv.Done():
		return fmt.Errorf("serve: %w", err)
	}
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info("stopped")
	return nil
}

// signInLink prints a one-time sign-in link for the user with username.
func signInLink(ctx context.Context, cfg server.Config, log *slog.Logger, username string) error {
	link, err := server.SignInLink(ctx, cfg, log, username)
	if err != nil {
		return fmt.Errorf("signin-link: %w", err)
	}
	fmt.Printf("Sign in to the web app with this one-time link (valid for %s):\n\n    %s\n",
		access.LoginTokenTTL, link)
	return nil
}

// usernameArg returns the one argument of signin-link, a username, which
// flags may also follow.
func usernameArg(fs *flag.FlagSet) (string, error) {
	args := fs.Args()
	if len(args) > 0 {
		_ = fs.Parse(args[1:])
	}
	if len(args) == 0 || fs.NArg() > 0 {
		fs.Usage()
		return "", errors.New("signin-link takes one username")
	}
	return args[0], nil
}

// signInLinkUsage returns the help of the signin-link command.
func signInLinkUsage(fs *flag.FlagSet) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, `Usage: plugboard signin-link [flags] <username>

Prints a one-time link that signs the user in to the web app, valid for
%s; the audit trail records that it was issued. Give the same settings
as the server (the variables or flags below), so that it opens the same
database. With the embedded database, stop the server first: both would
open the same files. With MongoDB (MONGODB_URI) it may run while servers do.

Flags:
`, access.LoginTokenTTL)
		fs.PrintDefaults()
	}
}

// envDuration reads a duration such as "10s" from the environment
// variable name; unset means zero.
func envDuration(name string) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s must be a duration such as 10s, got %q", name, v)
	}
	return d, nil
}

// keygen prints a fresh random key for PLUGBOARD_SECRET_KEY.
func keygen() error {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	fmt.Println(base64.StdEncoding.EncodeToString(b))
	return nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
