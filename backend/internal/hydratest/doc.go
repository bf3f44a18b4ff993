// Package hydratest runs a real OAuth 2.0 authorization server, Ory Hydra,
// for end-to-end tests.
//
// Start launches the Hydra binary built at bin/hydra with an in-memory
// store on free loopback ports, together with an in-process login and
// consent app that accepts every request for one fixed person. Tests then
// register clients, drive the authorization code flow without a browser
// (Authorize), or let a real browser follow the same redirects.
//
// Everything a Server starts is stopped when the test ends. Hydra's own
// output is kept and printed only when the test fails.
package hydratest
