package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// backend is the app's one way to the server: the API client of the
// page's origin and what it learned about the session and the server.
type backend struct {
	once      sync.Once
	apiClient *api.Client

	mu      sync.Mutex
	session *api.Session
	meta    *api.Meta
}

// server is shared by every page of the app.
var server backend

// client returns the client of the API at the page's origin.
func (b *backend) client() *api.Client {
	b.once.Do(func() {
		origin := app.Window().Get("location").Get("origin").String()
		b.apiClient = api.New(origin)
	})
	return b.apiClient
}

// Session returns the current session, asking the server the first time.
// It keeps the CSRF token the API client sends with every change.
func (b *backend) Session(ctx context.Context) (*api.Session, error) {
	b.mu.Lock()
	s := b.session
	b.mu.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := b.client().Session(ctx)
	if err != nil {
		return nil, err
	}
	b.setSession(s)
	return s, nil
}

// errNoSession says that no session is known yet.
var errNoSession = errors.New("no session known yet")

// cachedSession returns the session known, without asking the server.
func (b *backend) cachedSession() (*api.Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.session == nil {
		return nil, errNoSession
	}
	return b.session, nil
}

// Refresh asks the server for the session again, as after a change to
// the signed-in user, and keeps it.
func (b *backend) Refresh(ctx context.Context) (*api.Session, error) {
	s, err := b.client().Session(ctx)
	if err != nil {
		return nil, err
	}
	b.setSession(s)
	return s, nil
}

// setSession keeps s as the current session; nil forgets it.
func (b *backend) setSession(s *api.Session) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.session = s
	if s == nil {
		b.client().SetCSRFToken("")
	}
}

// Meta returns the server's facts, asking the first time.
func (b *backend) Meta(ctx context.Context) (*api.Meta, error) {
	b.mu.Lock()
	m := b.meta
	b.mu.Unlock()
	if m != nil {
		return m, nil
	}
	m, err := b.client().Meta(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.meta = m
	b.mu.Unlock()
	return m, nil
}

// Changing makes sure the CSRF token is known before a request that
// changes something, then returns the client.
func (b *backend) Changing(ctx context.Context) (*api.Client, error) {
	if _, err := b.Session(ctx); err != nil {
		return nil, err
	}
	return b.client(), nil
}

// failure is an error of the API as the app shows it: a sentence for the
// person and, for invalid input, a message per field.
type failure struct {
	Message string
	Fields  map[string]string
	Offline bool
	Code    shared.Code
	Status  int
}

// describe turns an error of the API client into a failure.
func describe(err error) failure {
	if err == nil {
		return failure{}
	}
	if errors.Is(err, api.ErrUnreachable) {
		return failure{
			Message: "Plugboard cannot be reached. Check your network connection and try again.",
			Offline: true,
		}
	}
	p, ok := api.AsProblem(err)
	if !ok {
		return failure{Message: "Something went wrong: " + err.Error()}
	}
	f := failure{Message: problemMessage(p), Code: p.Code, Status: p.Status}
	if len(p.Errors) > 0 {
		f.Fields = make(map[string]string, len(p.Errors))
		for _, fe := range p.Errors {
			if _, dup := f.Fields[fe.Field]; !dup {
				f.Fields[fe.Field] = fe.Message
			}
		}
	}
	return f
}

// problemMessage is the sentence shown for a problem document.
func problemMessage(p *shared.Problem) string {
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if msg == "" {
		msg = "The server answered " + string(p.Code) + "."
	}
	if len(p.Errors) > 0 && !strings.Contains(msg, "correct") {
		msg += " Please correct the fields marked below."
	}
	return msg
}

// signInIfNeeded sends the person to the sign-in page when err says the
// session ended, and reports whether it did.
func signInIfNeeded(ctx app.Context, err error) bool {
	if !api.IsUnauthorized(err) {
		return false
	}
	server.setSession(nil)
	here := app.Window().URL()
	ctx.Navigate(pathSignIn + "?next=" + url.QueryEscape(here.RequestURI()))
	return true
}

// signedOut forgets the session and what was kept of the signed-in
// user's data, then shows the sign-in page.
func signedOut(ctx app.Context) {
	server.setSession(nil)
	forgetList(ctx)
	ctx.Navigate(pathSignIn)
}

// afterSignIn returns where to go once signed in: the page the person
// was sent away from, if it is one of the app's own, or else home.
func afterSignIn(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.HasPrefix(next, pathSignIn) {
		return pathHome
	}
	return next
}
