package hydratest

import (
	"strconv"
	"time"
)

// Option changes how Start configures Hydra.
type Option func(*config)

// config collects what the options ask for.
type config struct {
	env           []string
	countingProxy bool
}

// WithAccessTokenTTL sets how long access tokens live (Hydra's
// TTL_ACCESS_TOKEN); the default is one hour.
func WithAccessTokenTTL(d time.Duration) Option {
	return WithEnv("TTL_ACCESS_TOKEN", d.String())
}

// WithPKCEEnforced makes PKCE (RFC 7636) mandatory for every client, so an
// authorization request without a code challenge is refused.
func WithPKCEEnforced() Option {
	return WithEnv("OAUTH2_PKCE_ENFORCED", strconv.FormatBool(true))
}

// WithEnv passes one more environment variable to Hydra. Hydra reads its
// whole configuration from the environment (a key such as
// oauth2.pkce.enforced becomes OAUTH2_PKCE_ENFORCED); a variable given here
// overrides the one Start would set.
func WithEnv(key, value string) Option {
	return func(c *config) {
		c.env = append(c.env, key+"="+value)
	}
}

// WithCountingProxy puts an in-process reverse proxy in front of Hydra's
// token and revocation endpoints. TokenURL and RevocationURL then point at
// the proxy, which counts token requests by grant type for TokenRequests.
// The issuer and the authorization endpoint stay on Hydra itself.
func WithCountingProxy() Option {
	return func(c *config) {
		c.countingProxy = true
	}
}
