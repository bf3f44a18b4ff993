//go:build !(js && wasm)

package api

import "net/http"

// defaultSend sends requests with http.DefaultClient.
func defaultSend(req *http.Request) (*http.Response, error) {
	return http.DefaultClient.Do(req)
}

// defaultRoundTrip sends one request with http.DefaultTransport.
func defaultRoundTrip(req *http.Request) (*http.Response, error) {
	return http.DefaultTransport.RoundTrip(req)
}
