package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// formatTime shows t as a date and time in the person's time zone, or
// never when t is zero.
func formatTime(t time.Time, never string) string {
	if t.IsZero() {
		return never
	}
	return t.Local().Format("2 Jan 2006, 15:04")
}

// relativeTime says how long ago (or in how long) t is from now, in
// words: "just now", "5 minutes ago", "in 2 hours", "3 days ago". Past a
// month it gives the date.
func relativeTime(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var amount string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		amount = plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		amount = plural(int(d/time.Hour), "hour")
	case d < 31*24*time.Hour:
		amount = plural(int(d/(24*time.Hour)), "day")
	default:
		return t.Local().Format("2 Jan 2006")
	}
	if future {
		return "in " + amount
	}
	return amount + " ago"
}

func plural(n int, unit string) string {
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}

// eventLabels name the events of a connection's history.
var eventLabels = map[shared.EventType]string{
	shared.EventCreated:            "Created",
	shared.EventEdited:             "Edited",
	shared.EventAuthorizeStarted:   "Authorization started",
	shared.EventAuthorized:         "Authorized",
	shared.EventAuthorizeFailed:    "Authorization failed",
	shared.EventRefreshed:          "Token refreshed",
	shared.EventRefreshFailed:      "Token refresh failed",
	shared.EventVerified:           "Verified",
	shared.EventVerificationFailed: "Verification failed",
	shared.EventRevoked:            "Revoked",
	shared.EventDeleted:            "Deleted",
}

// eventLabel names an event's type for a person.
func eventLabel(t shared.EventType) string {
	if l, ok := eventLabels[t]; ok {
		return l
	}
	return strings.ReplaceAll(string(t), "_", " ")
}

// statusClass is the CSS class of a status badge.
func statusClass(s shared.Status) string {
	return "badge badge-" + strings.ReplaceAll(string(s), "_", "-")
}

// needsAuthorizing reports whether a connection in status s is offered
// Connect or Re-authorize, and which label the button has.
func needsAuthorizing(s shared.Status) (string, bool) {
	switch s {
	case shared.StatusPending:
		return "Connect", true
	case shared.StatusNeedsReauth, shared.StatusRevoked:
		return "Re-authorize", true
	}
	return "", false
}

// canRevoke reports whether a connection in status s holds a grant that
// revoking would end.
func canRevoke(s shared.Status) bool {
	return s == shared.StatusConnected || s == shared.StatusNeedsReauth
}

// displayName is how a user is shown: their name, or their username.
func displayName(u shared.User) string {
	if strings.TrimSpace(u.Name) != "" {
		return u.Name
	}
	return u.Username
}

// roleLabel names a role for a person.
func roleLabel(r shared.Role) string {
	switch r {
	case shared.RoleAdmin:
		return "Admin"
	case shared.RoleMember:
		return "Member"
	}
	return string(r)
}

// auditLabels say in words what each action of the audit trail is.
var auditLabels = map[shared.AuditAction]string{
	shared.AuditSignIn:          "Signed in",
	shared.AuditSignInFailed:    "Sign-in failed",
	shared.AuditSignOut:         "Signed out",
	shared.AuditSessionsEnded:   "Signed out everywhere",
	shared.AuditPasswordChanged: "Password changed",
	shared.AuditUserCreated:     "User created",
	shared.AuditUserChanged:     "User changed",
	shared.AuditUserDeleted:     "User deleted",
	shared.AuditKeyCreated:      "API key created",
	shared.AuditKeyRevoked:      "API key revoked",
	shared.AuditServiceCreated:  "Service created",
	shared.AuditServiceChanged:  "Service changed",
	shared.AuditServiceDeleted:  "Service deleted",
	shared.AuditConnCreated:     "Connection created",
	shared.AuditConnAuthorized:  "Connection authorized",
	shared.AuditConnRefreshed:   "Token refreshed",
	shared.AuditConnFailed:      "Connection failed",
	shared.AuditConnVerified:    "Connection verified",
	shared.AuditConnRevoked:     "Connection revoked",
	shared.AuditConnDeleted:     "Connection deleted",
	shared.AuditConnShared:      "Connection shared",
	shared.AuditConnUnshared:    "Connection unshared",
}

// auditLabel says in words what an audit action is.
func auditLabel(a shared.AuditAction) string {
	if l, ok := auditLabels[a]; ok {
		return l
	}
	s := strings.ReplaceAll(string(a), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
