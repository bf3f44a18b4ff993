package shared

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Right is something an API key may do. A browser session started with a
// key holds the key's rights; one started with a password or a sign-in
// link holds them all.
type Right string

// The rights a key can hold.
const (
	// RightRead allows the GET routes, the token route aside.
	RightRead Right = "read"
	// RightManage allows every route that changes something, the proxy
	// aside.
	RightManage Right = "manage"
	// RightUse allows calling through a connection: the proxy and the
	// access token route.
	RightUse Right = "use"
)

// MaxKeyNameLen caps the length of a key's name, in characters.
const MaxKeyNameLen = 100

// AllRights lists every right, in the order answers list them.
var AllRights = []Right{RightRead, RightManage, RightUse}

// Valid reports whether r is one of AllRights.
func (r Right) Valid() bool { return slices.Contains(AllRights, r) }

// APIKey describes an API key; the key itself is never part of it.
type APIKey struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Rights     []Right   `json:"rights"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// NewAPIKey is the answer to creating a key: the only time Key is shown.
type NewAPIKey struct {
	APIKey
	Key string `json:"key"`
}

// KeyInput is the body of a request that creates an API key.
type KeyInput struct {
	Name   string  `json:"name"`
	Rights []Right `json:"rights"`
}

// Check returns what is wrong with in, or nil.
func (in KeyInput) Check() error {
	var fe FieldErrors
	checkText(&fe, "name", in.Name, 4*MaxKeyNameLen, true)
	if utf8.RuneCountInString(in.Name) > MaxKeyNameLen && len(fe) == 0 {
		fe.Add("name", "is longer than %d characters", MaxKeyNameLen)
	}
	if len(in.Rights) == 0 {
		fe.Add("rights", "must hold at least one of read, manage, use")
	}
	for i, r := range in.Rights {
		switch {
		case !r.Valid():
			fe.Add(fmt.Sprintf("rights[%d]", i), "must be one of read, manage, use")
		case slices.Index(in.Rights, r) < i:
			fe.Add(fmt.Sprintf("rights[%d]", i), "repeats %q", r)
		}
	}
	return fe.Err()
}
