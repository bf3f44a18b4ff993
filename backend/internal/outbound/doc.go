// Package outbound is the one HTTP client Plugboard uses for every request
// to a URL that came from a service definition or a parameter: OAuth token
// exchange and revocation, discovery documents, credential checks and the
// API proxy.
//
// The client refuses, before any connection is made, destinations that are
// not on the public internet: loopback, private (RFC 1918, RFC 4193),
// link-local (including the 169.254.169.254 cloud metadata address),
// shared (RFC 6598), multicast, unspecified, IPv4-mapped IPv6 and the other
// special-purpose ranges. A host name is resolved once per connection, and
// the address actually dialed is the one checked, so a name that resolves
// to a public address at check time cannot connect to a private one later.
//
// Operators open exceptions with an [AllowList], read from the
// PLUGBOARD_ALLOW_HOSTS setting by [ParseAllowList].
//
// Errors are typed so callers can map them to HTTP answers: [BlockedError],
// [ErrResponseTooLarge], [ErrTooManyRedirects], [IsTimeout] and
// [IsUnreachable]. Errors returned by [Client.Do] never include a URL's
// query string, which may hold an API key.
package outbound
