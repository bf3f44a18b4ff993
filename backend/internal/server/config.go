package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Config is how an operator sets Plugboard up. Each field has an
// environment variable and a command-line flag of the same name.
type Config struct {
	// Addr is the listen address (PLUGBOARD_ADDR).
	Addr string
	// PublicURL is the address people and providers reach Plugboard at
	// (PLUGBOARD_PUBLIC_URL); the OAuth callback is derived from it.
	PublicURL string
	// DataDir holds the embedded database and the generated secret key
	// (PLUGBOARD_DATA_DIR).
	DataDir string
	// MongoURI, when set, is the MongoDB server to use instead of the
	// embedded one (MONGODB_URI).
	MongoURI string
	// SecretKey is one or more base64 AES-256 keys, comma-separated, the
	// first sealing new data (PLUGBOARD_SECRET_KEY). Empty: a key file in
	// DataDir is used, and created on first start.
	SecretKey string
	// LogLevel is debug, info, warn or error (PLUGBOARD_LOG_LEVEL).
	LogLevel string
	// APIKey, when set at the first start, becomes the first owner's key
	// instead of a generated one (PLUGBOARD_API_KEY).
	APIKey string
	// AllowHosts lists host names, addresses and CIDR ranges that
	// outbound requests may reach although they are private or loopback
	// (PLUGBOARD_ALLOW_HOSTS).
	AllowHosts string
	// CatalogDir holds operator catalog entries that add to or replace
	// the built-in ones (PLUGBOARD_CATALOG_DIR).
	CatalogDir string
	// OutboundTimeout bounds each request Plugboard sends to a service,
	// from dialing to reading the whole answer
	// (PLUGBOARD_OUTBOUND_TIMEOUT, a duration such as "10s"). Zero means
	// the outbound client's default of 30 seconds.
	OutboundTimeout time.Duration
	// Version names this build.
	Version string
}

// Defaults for a newcomer's machine.
const (
	DefaultAddr    = "127.0.0.1:8080"
	DefaultDataDir = "data"
)

// CallbackURL is the OAuth 2.0 redirect URI to register at providers.
func (c Config) CallbackURL() string {
	return strings.TrimSuffix(c.PublicURL, "/") + "/oauth/callback"
}

// normalize fills defaults and checks the configuration.
func (c *Config) normalize() error {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.PublicURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "127.0.0.1" + host
		}
		c.PublicURL = "http://" + host
	}
	var errs []error
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		errs = append(errs, fmt.Errorf("PLUGBOARD_PUBLIC_URL must be an http or https origin such as https://plugboard.example.com, got %q", c.PublicURL))
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.OutboundTimeout < 0 {
		errs = append(errs, fmt.Errorf("PLUGBOARD_OUTBOUND_TIMEOUT must not be negative, got %s", c.OutboundTimeout))
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if s == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("PLUGBOARD_LOG_LEVEL must be debug, info, warn or error, got %q", s)
	}
	return l, nil
}
