package shared

import (
	"regexp"
	"slices"
	"time"
	"unicode/utf8"
)

// Role is what a user may do beyond their own records.
type Role string

// The roles. Every user manages their own services, connections and API
// keys; an admin also creates and changes users, reads the audit trail
// and shares their connections with other users.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleMember}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Password limits. bcrypt reads at most 72 bytes, so a longer password
// is refused rather than silently cut.
const (
	MinPasswordLen   = 12
	MaxPasswordBytes = 72
	MaxUserNameLen   = 100
)

// usernamePattern: lower-case letters, digits, '.', '_' and '-', starting
// with a letter or digit; 2 to 64 characters. Usernames are compared as
// typed, so upper case is refused rather than folded.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// User is a person who signs in to Plugboard. The password hash never
// leaves the server.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	// Name is how the user is shown; the username when not given.
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Disabled users cannot sign in, and their sessions and API keys stop
	// working.
	Disabled bool `json:"disabled"`
	// HasPassword is false for a user who signs in only with a sign-in
	// link or an API key (the first admin, until they set a password).
	HasPassword  bool      `json:"has_password"`
	CreatedAt    time.Time `json:"created_at"`
	LastSignInAt time.Time `json:"last_sign_in_at,omitzero"`
}

// UserInput is the body of a request that creates a user (admins only).
type UserInput struct {
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
	Role     Role   `json:"role"`
	// Password is the user's first password; they may change it later.
	Password string `json:"password"`
}

// Check returns what is wrong with in, or nil.
func (in UserInput) Check() error {
	var fe FieldErrors
	checkUsername(&fe, in.Username)
	checkUserName(&fe, in.Name)
	if !in.Role.Valid() {
		fe.Add("role", "must be admin or member")
	}
	checkPassword(&fe, "password", in.Password)
	return fe.Err()
}

// UserPatch is the body of a request that changes a user (admins only).
// Absent fields stay as they are. Setting Password replaces the user's
// password and ends their sessions.
type UserPatch struct {
	Name     *string `json:"name,omitempty"`
	Role     *Role   `json:"role,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
	Password *string `json:"password,omitempty"`
}

// Check returns what is wrong with p, or nil.
func (p UserPatch) Check() error {
	var fe FieldErrors
	if p.Name != nil {
		checkUserName(&fe, *p.Name)
	}
	if p.Role != nil && !p.Role.Valid() {
		fe.Add("role", "must be admin or member")
	}
	if p.Password != nil {
		checkPassword(&fe, "password", *p.Password)
	}
	if p.Name == nil && p.Role == nil && p.Disabled == nil && p.Password == nil {
		fe.Add("", "names nothing to change")
	}
	return fe.Err()
}

// PasswordChange is the body of a request in which signed-in users change
// their own password. CurrentPassword may be empty only for a user who
// has none yet.
type PasswordChange struct {
	CurrentPassword string `json:"current_password,omitempty"`
	NewPassword     string `json:"new_password"`
}

// Check returns what is wrong with p, or nil.
func (p PasswordChange) Check() error {
	var fe FieldErrors
	checkPassword(&fe, "new_password", p.NewPassword)
	return fe.Err()
}

func checkUsername(fe *FieldErrors, s string) {
	if !usernamePattern.MatchString(s) {
		fe.Add("username", "must be 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
}

func checkUserName(fe *FieldErrors, s string) {
	if s == "" {
		return
	}
	before := len(*fe)
	checkText(fe, "name", s, 4*MaxUserNameLen, false)
	if len(*fe) == before && utf8.RuneCountInString(s) > MaxUserNameLen {
		fe.Add("name", "is longer than %d characters", MaxUserNameLen)
	}
}

func checkPassword(fe *FieldErrors, field, pw string) {
	switch {
	case !utf8.ValidString(pw):
		fe.Add(field, "is not valid UTF-8")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		fe.Add(field, "must be at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordBytes:
		fe.Add(field, "must be at most %d bytes", MaxPasswordBytes)
	}
}
