package ui

import (
	"context"
	"slices"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// sharingCard lets an admin who owns a connection share it with other
// users, who may then call it through the proxy and nothing more, and
// stop sharing it. An owner who is no longer an admin may still stop
// sharing what they shared before; the card shows only when there is
// such a share.
type sharingCard struct {
	app.Compo

	ConnID   string
	ConnName string
	// ServiceName names the service the connection calls.
	ServiceName string
	// OwnerID is the signed-in user, who owns the connection.
	OwnerID string
	// CanShare is set for admins, who may share it with more users.
	CanShare bool
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	loadedFor string
	status    loadStatus
	fail      failure
	shares    []shared.Share
	users     []shared.User

	pick string
	// busy is "add" while sharing, or the id of the user being removed.
	busy string
	err  string
	done string
}

// OnMount loads who the connection is shared with.
func (c *sharingCard) OnMount(ctx app.Context) {
	c.ctx = ctx
	c.load(ctx)
}

// OnUpdate loads again when the card now shows another connection.
func (c *sharingCard) OnUpdate(ctx app.Context) {
	if c.ConnID != c.loadedFor {
		c.load(ctx)
	}
}

// sharingData is what the card loads.
type sharingData struct {
	shares []shared.Share
	users  []shared.User
}

// fetchSharing loads the connection's shares and, for an admin, the
// users it could be shared with.
func fetchSharing(ctx context.Context, connID string, canShare bool) (sharingData, error) {
	client := server.client()
	shares, err := client.ListShares(ctx, connID)
	if err != nil || !canShare {
		return sharingData{shares: shares}, err
	}
	users, err := client.ListUsers(ctx)
	return sharingData{shares: shares, users: users}, err
}

func (c *sharingCard) load(ctx app.Context) {
	ctx = c.ctx
	id, canShare := c.ConnID, c.CanShare
	c.loadedFor, c.status, c.err, c.done = id, loading, "", ""
	ctx.Async(func() {
		d, err := fetchSharing(ctx, id, canShare)
		ctx.Dispatch(func(ctx app.Context) {
			if id != c.ConnID {
				return
			}
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					c.status, c.fail = loadFailed, describe(err)
				}
				return
			}
			c.status, c.shares, c.users = loaded, d.shares, d.users
		})
	})
}

// candidates are the users the connection can still be shared with:
// active users other than the owner and those who have it already.
func (c *sharingCard) candidates() []shared.User {
	var out []shared.User
	for _, u := range c.users {
		has := slices.ContainsFunc(c.shares, func(s shared.Share) bool { return s.UserID == u.ID })
		if u.ID != c.OwnerID && !u.Disabled && !has {
			out = append(out, u)
		}
	}
	return out
}

// Render draws the card.
func (c *sharingCard) Render() app.UI {
	if !c.CanShare && (c.status != loaded || len(c.shares) == 0 && c.done == "") {
		return app.Div()
	}
	return app.Section().
		Class("card").
		Aria("labelledby", "sharing-title").
		Body(
			app.H2().
				ID("sharing-title").
				Text("Sharing"),
			app.P().
				Class("hint").
				Text(c.hint()),
			c.body(),
		)
}

// hint says what sharing gives, or, to an owner who is no longer an
// admin, what they may still do.
func (c *sharingCard) hint() string {
	if !c.CanShare {
		return "Only admins share connections. You can still stop sharing this one."
	}
	return "People you share it with can call " + c.ServiceName + " through the proxy " +
		"with your access. Plugboard never gives them its stored tokens or secrets, " +
		"and they cannot change, authorize, revoke or delete it. Share it only with " +
		"people you would trust with that access."
}

func (c *sharingCard) body() app.UI {
	switch c.status {
	case loading:
		return app.P().Body(spinner("Loading who it is shared with…"))
	case loadFailed:
		return loadFailedState("Sharing could not be loaded.", c.fail,
			func(ctx app.Context) { c.load(ctx) })
	}
	return app.Div().Body(
		c.list(),
		app.If(c.CanShare, c.addForm),
		app.Div().
			Class("live").
			Role("alert").
			Body(app.If(c.err != "", func() app.UI {
				return noticeBox(notice{Kind: noticeError, Text: c.err})
			})),
		app.Div().
			Class("live").
			Role("status").
			Body(app.If(c.done != "", func() app.UI {
				return noticeBox(notice{Kind: noticeSuccess, Text: c.done})
			})),
	)
}

func (c *sharingCard) list() app.UI {
	if len(c.shares) == 0 {
		return app.P().Text("Not shared with anyone.")
	}
	return app.Ul().
		Class("share-list").
		Aria("label", "Shared with").
		Body(app.Range(c.shares).Slice(func(i int) app.UI {
			s := c.shares[i]
			return app.Li().Body(
				app.Span().Body(
					app.Strong().Text(s.Username),
					app.Span().
						Class("cell-note").
						Text("since "+formatTime(s.CreatedAt, "—")),
				),
				app.Button().
					Type("button").
					Class("button button-danger-quiet").
					Disabled(c.busy != "").
					Aria("label", "Stop sharing with "+s.Username).
					OnClick(func(ctx app.Context, e app.Event) { c.unshare(ctx, s) },
						app.EventScope("unshare", s.UserID)).
					Body(app.If(c.busy == s.UserID, func() app.UI { return spinner("Removing…") }).
						Else(func() app.UI { return app.Text("Remove") })),
			)
		}))
}

// addForm picks a user to share the connection with.
func (c *sharingCard) addForm() app.UI {
	cands := c.candidates()
	if len(cands) == 0 {
		return app.P().
			Class("hint").
			Body(
				app.Text("There is no one else to share it with. "),
				app.A().Href(pathUsers).Text("Add users"),
				app.Text(" first."),
			)
	}
	opts := []option{{Value: "", Label: "Choose a user…"}}
	for _, u := range cands {
		opts = append(opts, option{Value: u.ID, Label: u.Username + " (" + displayName(u) + ")"})
	}
	return app.Form().
		Class("share-form").
		OnSubmit(c.share).
		Body(
			selectField(selectProps{
				ID: "share-user", Label: "Share with", Value: c.pick, Options: opts,
				Disabled: c.busy != "",
				OnChange: func(ctx app.Context, v string) { c.pick = v },
			}),
			app.Button().
				Type("submit").
				Class("button button-primary").
				Disabled(c.busy != "").
				Body(app.If(c.busy == "add", func() app.UI { return spinner("Sharing…") }).
					Else(func() app.UI { return app.Text("Share") })),
		)
}

// share shares the connection with the chosen user.
func (c *sharingCard) share(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx = c.ctx
	if c.busy != "" {
		return
	}
	c.err, c.done = "", ""
	if c.pick == "" {
		c.err = "Choose the user to share " + c.ConnName + " with."
		focusSoon("share-user")
		return
	}
	c.busy = "add"
	conn, user := c.ConnID, c.pick
	ctx.Async(func() {
		var s *shared.Share
		client, err := server.Changing(ctx)
		if err == nil {
			s, err = client.Share(ctx, conn, user)
		}
		ctx.Dispatch(func(ctx app.Context) {
			c.busy = ""
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					c.err = describe(err).Message
				}
				return
			}
			c.pick = ""
			c.shares = append(slices.DeleteFunc(c.shares, func(x shared.Share) bool {
				return x.UserID == s.UserID
			}), *s)
			c.done = c.ConnName + " is now shared with " + s.Username + "."
		})
	})
}

// unshare stops sharing the connection with a user.
func (c *sharingCard) unshare(ctx app.Context, s shared.Share) {
	ctx = c.ctx
	if c.busy != "" {
		return
	}
	c.busy, c.err, c.done = s.UserID, "", ""
	conn := c.ConnID
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			err = client.Unshare(ctx, conn, s.UserID)
		}
		ctx.Dispatch(func(ctx app.Context) {
			c.busy = ""
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					c.err = describe(err).Message
				}
				return
			}
			c.shares = slices.DeleteFunc(c.shares, func(x shared.Share) bool { return x.UserID == s.UserID })
			c.done = s.Username + " can no longer use " + c.ConnName + "."
			if c.CanShare {
				focusSoon("share-user")
			}
		})
	})
}
