package lifecycle

import (
	"net/http"
	"strings"

	"github.com/plugboard/plugboard/shared"
)

// authValues joins what fills a request to a Basic Auth or API-key
// service: the connection's placeholders, then its sealed values.
func authValues(c shared.Connection, secret paramValues) map[string]string {
	v := placeholderValues(c)
	for k, val := range secret {
		v[k] = val
	}
	return v
}

// applyCredentials adds a connection's credentials to req the way its
// service takes them: Basic authentication (RFC 7617), or an API key in a
// header (after its prefix) or in the query.
func applyCredentials(req *http.Request, svc *shared.Service, values map[string]string) {
	var user, pass string
	hasBasic := false
	q := req.URL.Query()
	changedQuery := false
	for _, p := range svc.Params {
		v, ok := values[p.Name]
		if !ok {
			continue
		}
		switch p.In {
		case shared.InUsername:
			user, hasBasic = v, true
		case shared.InPassword:
			pass = v
		case shared.InHeader:
			req.Header.Set(p.Name, p.Prefix+v)
		case shared.InQuery:
			q.Set(p.Name, v)
			changedQuery = true
		}
	}
	if hasBasic {
		req.SetBasicAuth(user, pass)
	}
	if changedQuery {
		req.URL.RawQuery = q.Encode()
	}
}

// setServiceHeaders sets the fixed headers a service asks for on req,
// with the service's client id in place of shared.HeaderClientID.
func setServiceHeaders(req *http.Request, svc *shared.Service) {
	for k, v := range svc.Headers {
		req.Header.Set(k, strings.ReplaceAll(v, shared.HeaderClientID, svc.ClientID))
	}
}
