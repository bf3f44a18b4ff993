package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// rightInfo says in one line what a right of an API key allows.
type rightInfo struct {
	Right shared.Right
	Hint  string
}

// rightInfos describe every right, in the order of shared.AllRights.
var rightInfos = []rightInfo{
	{shared.RightRead, "See services, connections and their history."},
	{shared.RightManage, "Create, change and delete services, connections and API keys."},
	{shared.RightUse, "Call services through connections (the proxy) and read their access tokens."},
}

// createKeyDialog asks for a new key's name and rights and creates it.
// The parent renders it while it is open.
type createKeyDialog struct {
	app.Compo

	// OnDone receives the new key, the only time its secret is known.
	OnDone   func(ctx app.Context, k *shared.NewAPIKey)
	OnCancel func(ctx app.Context)

	form   dialogForm
	name   string
	rights map[shared.Right]bool
}

const createKeyDialogID = "create-key-dialog"

// OnMount opens the dialog, with "use", the right most programs need,
// ticked.
func (d *createKeyDialog) OnMount(ctx app.Context) {
	d.rights = map[shared.Right]bool{shared.RightUse: true}
	d.form.open(ctx, createKeyDialogID)
	focusSoon("key-name")
}

// OnDismount gives the focus back.
func (d *createKeyDialog) OnDismount() {
	d.form.focus.restore("create-key")
}

// Render draws the form.
func (d *createKeyDialog) Render() app.UI {
	f := &d.form
	return formDialog(formDialogProps{
		ID: createKeyDialogID, Title: "Create an API key",
		Intro:       "Name it for the program that will use it, and give it only the rights it needs.",
		Busy:        f.busy,
		Fail:        f.fail,
		SubmitLabel: "Create key", BusyLabel: "Creating…",
		OnSubmit: d.submit,
		OnClose:  func(ctx app.Context, e app.Event) { f.closed(ctx, d.OnCancel) },
		OnCancel: d.OnCancel,
	},
		textField(textProps{
			ID: "key-name", Label: "Name", Value: d.name, Required: true,
			Placeholder: "CI deploys", Error: f.fail.Fields["name"], Disabled: f.busy,
			OnInput: func(ctx app.Context, v string) { d.name = v },
		}),
		app.FieldSet().
			Aria("describedby", describedBy("key-rights", false, f.fail.Fields["rights"])).
			Body(
				app.Legend().Text("Rights"),
				app.Range(rightInfos).Slice(func(i int) app.UI {
					r := rightInfos[i]
					return checkbox(checkProps{
						ID: "key-right-" + string(r.Right), Label: string(r.Right), Hint: r.Hint,
						Checked: d.rights[r.Right], Disabled: f.busy,
						OnChange: func(ctx app.Context, v bool) { d.rights[r.Right] = v },
					})
				}),
				fieldError("key-rights", errorText("Rights", f.fail.Fields["rights"])),
			),
	)
}

// input is the request the form describes.
func (d *createKeyDialog) input() shared.KeyInput {
	in := shared.KeyInput{Name: strings.TrimSpace(d.name)}
	for _, r := range shared.AllRights {
		if d.rights[r] {
			in.Rights = append(in.Rights, r)
		}
	}
	return in
}

// submit checks the form with the shared rules and creates the key.
func (d *createKeyDialog) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f := &d.form
	if f.busy {
		return
	}
	in := d.input()
	if fields := fieldMap(in.Check()); fields != nil {
		f.invalid(fields)
		if fields["name"] != "" {
			focusSoon("key-name")
		}
		return
	}
	f.busy, f.fail = true, failure{}
	ctx = f.ctx
	ctx.Async(func() {
		var k *shared.NewAPIKey
		client, err := server.Changing(ctx)
		if err == nil {
			k, err = client.CreateKey(ctx, in)
		}
		ctx.Dispatch(func(ctx app.Context) {
			f.busy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					f.fail = describe(err)
				}
				return
			}
			d.OnDone(ctx, k)
		})
	})
}
