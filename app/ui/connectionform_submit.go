package ui

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

func itoa(i int) string { return strconv.Itoa(i) }

// submit creates the connection, once, and starts authorizing it.
func (f *connectionForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx = f.ctx
	if f.busy {
		return
	}
	f.fail, f.note = failure{}, notice{}
	if f.created != nil {
		f.authorize(ctx)
		return
	}
	if f.errs = f.draft.Check(f.Service); len(f.errs) > 0 {
		f.fail = failure{Message: "Some fields need attention: see the messages next to them."}
		f.focusFirstError()
		return
	}
	f.busy, f.stage = true, "Creating the connection…"
	svc, draft := f.Service, f.draft
	ctx.Async(func() {
		svc, conn, err := createConnection(ctx, svc, draft)
		ctx.Dispatch(func(ctx app.Context) {
			f.busy = false
			if err != nil {
				f.failed(ctx, err)
				return
			}
			f.Service, f.created = svc, conn
			f.authorize(ctx)
		})
	})
}

// createConnection gives svc its client credentials when the form has
// them, then creates the connection. It returns the service as stored.
func createConnection(ctx app.Context, svc shared.Service, d connectionDraft) (shared.Service, *shared.Connection, error) {
	client, err := server.Changing(ctx)
	if err != nil {
		return svc, nil, err
	}
	if patch := d.ClientPatch(svc); patch != nil {
		updated, err := client.UpdateService(ctx, svc.ID, *patch)
		if err != nil {
			return svc, nil, err
		}
		svc = *updated
	}
	conn, err := client.CreateConnection(ctx, d.Input(svc))
	return svc, conn, err
}

func (f *connectionForm) failed(ctx app.Context, err error) {
	if signInIfNeeded(ctx, err) {
		return
	}
	f.fail = describe(err)
	f.errs = f.fail.Fields
	f.focusFirstError()
}

// focusFirstError puts the focus on the first field with an error.
func (f *connectionForm) focusFirstError() {
	if id := firstErrorField(f.errs, f.Service); id != "" {
		focusSoon(id)
	}
}

// firstErrorField returns the id of the first input, in the form's
// order, whose field has an error.
func firstErrorField(errs map[string]string, svc shared.Service) string {
	order := []struct{ key, id string }{{"name", "conn-name"}, {"link_name", "conn-link"}}
	for _, p := range creationParams(svc) {
		order = append(order, struct{ key, id string }{"config." + p.Name, fieldID("config-", p.Name)})
	}
	order = append(order,
		struct{ key, id string }{"client_id", "conn-client-id"},
		struct{ key, id string }{"client_secret", "conn-client-secret"})
	for _, o := range order {
		if errs[o.key] != "" {
			return o.id
		}
	}
	return ""
}

// authorize sends an OAuth 2.0 connection to its provider, and opens the
// credentials dialog for the others.
func (f *connectionForm) authorize(ctx app.Context) {
	if f.Service.AuthType != shared.AuthOAuth2 {
		f.dialog = true
		return
	}
	f.busy, f.stage = true, "Opening "+f.Service.Name+"…"
	authorizeOAuth2(ctx, f.created.ID, func(ctx app.Context, fl failure) {
		f.busy = false
		f.fail = fl
		f.fail.Message = "The connection was created, but authorizing it could not start: " +
			fl.Message
	})
}

// authorized shows the new connection once its credentials were
// accepted.
func (f *connectionForm) authorized(ctx app.Context, c *shared.Connection) {
	f.dialog = false
	ctx.Navigate(connectionPath(c.ID) + "?outcome=connected")
}

func (f *connectionForm) dialogCancelled(ctx app.Context) {
	f.dialog = false
	f.note = notice{Kind: noticeInfo, Text: "The connection was saved as pending. Connect it " +
		"now, or later from the list."}
}
