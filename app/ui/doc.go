// Package ui is the Plugboard web app: its pages, built with go-app, and
// the handler that serves them.
//
// The same package runs in two places. In the browser, compiled to
// WebAssembly by ../main.go, it renders the pages and talks to the server
// only through the API client of shared/api. On the server, Handler
// serves the pages (rendered once without data, so they show at once),
// the service worker, the manifest and the files under web/.
//
// Pages load their data when they are navigated to, keep an explicit
// status (loading, loaded, failed), and apply API answers through their
// own context: the element whose event started a call may be gone when
// the answer comes. Forms keep what the person typed in plain drafts
// (serviceDraft, connectionDraft) that turn into API requests and are
// checked with the shared rules before anything is sent.
package ui
