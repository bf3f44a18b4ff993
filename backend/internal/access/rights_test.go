package access

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// startWithAdmin starts a service on a fresh database and returns it,
// its store, and the first admin acting through their first key, which
// holds every right.
func startWithAdmin(t *testing.T) (*Service, *store.Store, Principal) {
	t.Helper()
	ctx := context.Background()
	st, _ := newTestStore(t)
	svc := New(st, nil)
	b, err := svc.Bootstrap(ctx, "")
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	admin, err := svc.Authenticate(ctx, b.APIKey)
	if err != nil {
		t.Fatalf("authenticate with the first key: %v", err)
	}
	return svc, st, admin
}

// keyOf creates a key with rights for by's user and returns it with the
// principal it authenticates.
func keyOf(t *testing.T, svc *Service, by Principal, rights ...shared.Right) (shared.NewAPIKey, Principal) {
	t.Helper()
	ctx := context.Background()
	k, err := svc.CreateKey(ctx, by, shared.KeyInput{Name: "test key", Rights: rights})
	if err != nil {
		t.Fatalf("create key with %v: %v", rights, err)
	}
	p, err := svc.Authenticate(ctx, k.Key)
	if err != nil {
		t.Fatalf("authenticate with the new key: %v", err)
	}
	return k, p
}

// heldRights lists the rights p holds.
func heldRights(p Principal) []shared.Right {
	var out []shared.Right
	for _, r := range shared.AllRights {
		if p.Can(r) {
			out = append(out, r)
		}
	}
	return out
}

func TestSessionRights(t *testing.T) {
	ctx := context.Background()
	svc, _, admin := startWithAdmin(t)
	const password = "the first admin's password"
	if err := svc.ChangePassword(ctx, admin, shared.PasswordChange{NewPassword: password}, "192.0.2.1"); err != nil {
		t.Fatalf("set a password: %v", err)
	}
	link, err := svc.IssueSignInToken(ctx, FirstUsername)
	if err != nil {
		t.Fatalf("issue a sign-in token: %v", err)
	}
	useKey, _ := keyOf(t, svc, admin, shared.RightUse)
	readManageKey, _ := keyOf(t, svc, admin, shared.RightRead, shared.RightManage)

	tests := []struct {
		name    string
		signIn  func() (Session, error)
		want    []shared.Right
		fullSet bool
	}{
		{"password", func() (Session, error) {
			return svc.SignInWithPassword(ctx, FirstUsername, password, "192.0.2.1")
		}, shared.AllRights, true},
		{"sign-in link", func() (Session, error) {
			return svc.SignInWithLoginToken(ctx, link, "192.0.2.1")
		}, shared.AllRights, true},
		{"use-only key", func() (Session, error) {
			return svc.SignInWithKey(ctx, useKey.Key, "192.0.2.1")
		}, []shared.Right{shared.RightUse}, false},
		{"read and manage key", func() (Session, error) {
			return svc.SignInWithKey(ctx, readManageKey.Key, "192.0.2.1")
		}, []shared.Right{shared.RightRead, shared.RightManage}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, err := tt.signIn()
			if err != nil {
				t.Fatalf("sign in: %v", err)
			}
			p, err := svc.SessionPrincipal(ctx, sess.Token)
			if err != nil {
				t.Fatalf("check the session: %v", err)
			}
			if got := heldRights(p); !slices.Equal(got, tt.want) {
				t.Errorf("got rights %v, want %v", got, tt.want)
			}
			if p.CanAll() != tt.fullSet {
				t.Errorf("got CanAll %v, want %v", p.CanAll(), tt.fullSet)
			}
		})
	}
}

func TestRevokingKeyEndsItsSessions(t *testing.T) {
	ctx := context.Background()
	svc, _, admin := startWithAdmin(t)
	k, _ := keyOf(t, svc, admin, shared.RightRead)
	other, _ := keyOf(t, svc, admin, shared.RightRead)
	sess, err := svc.SignInWithKey(ctx, k.Key, "192.0.2.1")
	if err != nil {
		t.Fatalf("sign in with the key: %v", err)
	}
	kept, err := svc.SignInWithKey(ctx, other.Key, "192.0.2.1")
	if err != nil {
		t.Fatalf("sign in with the other key: %v", err)
	}

	if err := svc.DeleteKey(ctx, admin.OwnerID, k.ID); err != nil {
		t.Fatalf("revoke the key: %v", err)
	}
	if _, err := svc.SessionPrincipal(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("session of the revoked key: got %v, want ErrUnauthenticated", err)
	}
	if _, err := svc.SessionPrincipal(ctx, kept.Token); err != nil {
		t.Errorf("session of another key: got %v, want it working", err)
	}
}

// TestSessionOfKeyRevokedElsewhere starts a session with a key that
// another server instance has already revoked, as an instance trusting
// its cached check of the key may: the session must not work.
func TestSessionOfKeyRevokedElsewhere(t *testing.T) {
	ctx := context.Background()
	svc, st, admin := startWithAdmin(t)
	k, _ := keyOf(t, svc, admin, shared.RightRead)
	// The check is now cached by svc.
	if _, err := svc.Authenticate(ctx, k.Key); err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if err := New(st, nil).DeleteKey(ctx, admin.OwnerID, k.ID); err != nil {
		t.Fatalf("revoke the key on another instance: %v", err)
	}
	sess, err := svc.SignInWithKey(ctx, k.Key, "192.0.2.1")
	if err != nil {
		t.Fatalf("sign in with the cached key: %v", err)
	}
	if _, err := svc.SessionPrincipal(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("got %v, want ErrUnauthenticated for a session of a revoked key", err)
	}
}

func TestKeysGetOnlyTheirCreatorsRights(t *testing.T) {
	ctx := context.Background()
	svc, _, admin := startWithAdmin(t)
	_, manageOnly := keyOf(t, svc, admin, shared.RightManage)
	_, readManage := keyOf(t, svc, admin, shared.RightRead, shared.RightManage)
	all := shared.AllRights

	tests := []struct {
		name    string
		by      Principal
		rights  []shared.Right
		missing []shared.Right
	}{
		{"manage key asks for all", manageOnly, all, []shared.Right{shared.RightRead, shared.RightUse}},
		{"manage key asks for use", manageOnly, []shared.Right{shared.RightUse}, []shared.Right{shared.RightUse}},
		{"manage key asks for manage", manageOnly, []shared.Right{shared.RightManage}, nil},
		{"read and manage key asks for read", readManage, []shared.Right{shared.RightRead}, nil},
		{"read and manage key asks for all", readManage, all, []shared.Right{shared.RightUse}},
		{"full key asks for all", admin, all, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := svc.ListKeys(ctx, admin.OwnerID)
			_, err := svc.CreateKey(ctx, tt.by, shared.KeyInput{Name: "more", Rights: tt.rights})
			after, _ := svc.ListKeys(ctx, admin.OwnerID)
			if tt.missing == nil {
				if err != nil || len(after) != len(before)+1 {
					t.Errorf("got %v and %d keys, want a new key", err, len(after)-len(before))
				}
				return
			}
			var re *RightsError
			if !errors.As(err, &re) || !errors.Is(err, ErrRightsExceeded) {
				t.Fatalf("got %v, want a RightsError", err)
			}
			if !slices.Equal(re.Missing, tt.missing) {
				t.Errorf("got missing %v, want %v", re.Missing, tt.missing)
			}
			if len(after) != len(before) {
				t.Errorf("got %d keys after a refusal, want %d", len(after), len(before))
			}
		})
	}
}

func TestPasswordsAndUsersNeedEveryRight(t *testing.T) {
	ctx := context.Background()
	svc, _, admin := startWithAdmin(t)
	member, err := svc.CreateUser(ctx, admin, shared.UserInput{Username: "member",
		Role: shared.RoleMember, Password: "the member's password"})
	if err != nil {
		t.Fatalf("create a member: %v", err)
	}
	_, manageOnly := keyOf(t, svc, admin, shared.RightManage)
	_, readManage := keyOf(t, svc, admin, shared.RightRead, shared.RightManage)
	admin2 := shared.RoleAdmin
	pw := "a password set by a key"

	changes := []struct {
		name string
		do   func(by Principal) error
	}{
		{"set own password", func(by Principal) error {
			return svc.ChangePassword(ctx, by, shared.PasswordChange{NewPassword: pw}, "192.0.2.1")
		}},
		{"create an admin", func(by Principal) error {
			_, err := svc.CreateUser(ctx, by, shared.UserInput{Username: "sneaky",
				Role: shared.RoleAdmin, Password: pw})
			return err
		}},
		{"make a member admin", func(by Principal) error {
			_, err := svc.UpdateUser(ctx, by, member.ID, shared.UserPatch{Role: &admin2})
			return err
		}},
		{"reset a password", func(by Principal) error {
			_, err := svc.UpdateUser(ctx, by, member.ID, shared.UserPatch{Password: &pw})
			return err
		}},
		{"delete a user", func(by Principal) error {
			return svc.DeleteUser(ctx, by, member.ID)
		}},
	}
	for _, by := range []struct {
		name string
		p    Principal
	}{{"manage key", manageOnly}, {"read and manage key", readManage}} {
		for _, ch := range changes {
			t.Run(by.name+" may not "+ch.name, func(t *testing.T) {
				if err := ch.do(by.p); !errors.Is(err, ErrNeedsAllRights) {
					t.Errorf("got %v, want ErrNeedsAllRights", err)
				}
			})
		}
	}

	users, err := svc.ListUsers(ctx)
	if err != nil {
		t.Fatalf("list users: %v", err)
	}
	if len(users) != 2 || users[0].HasPassword || users[1].Role != shared.RoleMember {
		t.Errorf("got users %+v, want the admin without a password and the member unchanged", users)
	}
	if _, err := svc.SignInWithPassword(ctx, "member", pw, "192.0.2.1"); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("sign in with the password a key tried to set: got %v, want ErrUnauthenticated", err)
	}
}

func TestSignInLinkOnlyWhileNoAdminHasPassword(t *testing.T) {
	ctx := context.Background()
	svc, st, admin := startWithAdmin(t)
	restart := func(t *testing.T) Bootstrap {
		t.Helper()
		b, err := New(st, nil).Bootstrap(ctx, "")
		if err != nil {
			t.Fatalf("bootstrap: %v", err)
		}
		return b
	}
	if b := restart(t); b.LoginToken == "" {
		t.Fatalf("restart before any password: got no sign-in token, want one")
	}

	second, err := svc.CreateUser(ctx, admin, shared.UserInput{Username: "second",
		Role: shared.RoleAdmin, Password: "the second admin's password"})
	if err != nil {
		t.Fatalf("create a second admin: %v", err)
	}
	if b := restart(t); b.LoginToken != "" {
		t.Errorf("restart with an admin who has a password: got a sign-in token, want none")
	}

	disabled := true
	if _, err := svc.UpdateUser(ctx, admin, second.ID, shared.UserPatch{Disabled: &disabled}); err != nil {
		t.Fatalf("disable the second admin: %v", err)
	}
	b := restart(t)
	if b.LoginToken == "" {
		t.Fatalf("restart whose only admin with a password is disabled: got no token, want one")
	}
	sess, err := svc.SignInWithLoginToken(ctx, b.LoginToken, "192.0.2.1")
	if err != nil || sess.OwnerID != admin.OwnerID {
		t.Errorf("got session of %q, %v; want the first admin's", sess.OwnerID, err)
	}
}

func TestIssueSignInToken(t *testing.T) {
	ctx := context.Background()
	svc, _, admin := startWithAdmin(t)
	m, err := svc.CreateUser(ctx, admin, shared.UserInput{Username: "mina",
		Role: shared.RoleMember, Password: "mina's first password"})
	if err != nil {
		t.Fatalf("create a member: %v", err)
	}

	tok, err := svc.IssueSignInToken(ctx, "mina")
	if err != nil {
		t.Fatalf("issue a token: %v", err)
	}
	sess, err := svc.SignInWithLoginToken(ctx, tok, "192.0.2.1")
	if err != nil || sess.OwnerID != m.ID {
		t.Errorf("got session of %q, %v; want mina's", sess.OwnerID, err)
	}

	if _, err := svc.IssueSignInToken(ctx, "nobody"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("unknown username: got %v, want ErrUserNotFound", err)
	}
	disabled := true
	if _, err := svc.UpdateUser(ctx, admin, m.ID, shared.UserPatch{Disabled: &disabled}); err != nil {
		t.Fatalf("disable mina: %v", err)
	}
	if _, err := svc.IssueSignInToken(ctx, "mina"); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled user: got %v, want ErrDisabled", err)
	}
}

// TestSessionsFromBeforeRightsEnd stores a session as the version before
// sessions recorded how they were started did: it could have been
// started with a key of fewer rights, so the next start ends it.
func TestSessionsFromBeforeRightsEnd(t *testing.T) {
	ctx := context.Background()
	st, db := newTestStore(t)
	svc := New(st, nil)
	if _, err := svc.Bootstrap(ctx, ""); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	owners, err := st.ListOwners(ctx)
	if err != nil {
		t.Fatalf("list owners: %v", err)
	}
	now := time.Now().UTC()
	const token = sessionPrefix + "stored-by-an-older-version"
	_, err = db.Collection("sessions").InsertOne(ctx, bson.D{
		{Key: "_id", Value: hash(token)}, {Key: "owner_id", Value: owners[0].ID},
		{Key: "created_at", Value: now}, {Key: "expires_at", Value: now.Add(time.Hour)},
		{Key: "last_seen_at", Value: now},
	})
	if err != nil {
		t.Fatalf("insert an old session: %v", err)
	}
	fresh, err := svc.SignInWithLoginToken(ctx, mustToken(t, svc, owners[0].ID), "192.0.2.1")
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if _, err := svc.SessionPrincipal(ctx, token); err != nil {
		t.Fatalf("old session before a restart: got %v, want it working (the check must see it)", err)
	}

	if _, err := New(st, nil).Bootstrap(ctx, ""); err != nil {
		t.Fatalf("bootstrap again: %v", err)
	}
	if _, err := svc.SessionPrincipal(ctx, token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("old session after a restart: got %v, want ErrUnauthenticated", err)
	}
	if _, err := svc.SessionPrincipal(ctx, fresh.Token); err != nil {
		t.Errorf("new session after a restart: got %v, want it working", err)
	}
}

func mustToken(t *testing.T, svc *Service, owner string) string {
	t.Helper()
	tok, err := svc.NewLoginToken(context.Background(), owner)
	if err != nil {
		t.Fatalf("new sign-in token: %v", err)
	}
	return tok
}

func TestDisabledUserFailsLikeWrongPassword(t *testing.T) {
	ctx := context.Background()
	svc, _, admin := startWithAdmin(t)
	const password = "the right password"
	m, err := svc.CreateUser(ctx, admin, shared.UserInput{Username: "off",
		Role: shared.RoleMember, Password: password})
	if err != nil {
		t.Fatalf("create a user: %v", err)
	}
	disabled := true
	if _, err := svc.UpdateUser(ctx, admin, m.ID, shared.UserPatch{Disabled: &disabled}); err != nil {
		t.Fatalf("disable: %v", err)
	}
	_, right := svc.SignInWithPassword(ctx, "off", password, "192.0.2.1")
	_, wrong := svc.SignInWithPassword(ctx, "off", "a wrong password", "192.0.2.1")
	if right != wrong || !errors.Is(right, ErrUnauthenticated) {
		t.Errorf("got %v with the right password and %v with a wrong one, want ErrUnauthenticated for both",
			right, wrong)
	}
}

func TestDemotedAdminStopsSharing(t *testing.T) {
	ctx := context.Background()
	svc, st, admin := startWithAdmin(t)
	member := shared.RoleMember
	disabled := true
	tests := []struct {
		name  string
		patch shared.UserPatch
		// ends says whether the shares end.
		ends bool
	}{
		{"made a member", shared.UserPatch{Role: &member}, true},
		{"disabled", shared.UserPatch{Disabled: &disabled}, true},
		{"renamed", shared.UserPatch{Name: ptr("Still an admin")}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sharer, err := svc.CreateUser(ctx, admin, shared.UserInput{Username: "sharer-" + string(rune('a'+i)),
				Role: shared.RoleAdmin, Password: "a sharer's password"})
			if err != nil {
				t.Fatalf("create an admin: %v", err)
			}
			conn := store.NewID()
			_, _, err = st.PutShare(ctx, store.ShareRecord{ConnectionID: conn, OwnerID: sharer.ID,
				UserID: admin.OwnerID, CreatedAt: time.Now().UTC(), CreatedBy: sharer.ID})
			if err != nil {
				t.Fatalf("store a share: %v", err)
			}
			// Shares of other owners' connections stay.
			_, _, err = st.PutShare(ctx, store.ShareRecord{ConnectionID: store.NewID(), OwnerID: admin.OwnerID,
				UserID: sharer.ID, CreatedAt: time.Now().UTC(), CreatedBy: admin.OwnerID})
			if err != nil {
				t.Fatalf("store another share: %v", err)
			}

			if _, err := svc.UpdateUser(ctx, admin, sharer.ID, tt.patch); err != nil {
				t.Fatalf("update: %v", err)
			}
			left, err := st.ListShares(ctx, sharer.ID, conn)
			if err != nil {
				t.Fatalf("list shares: %v", err)
			}
			if got := len(left) == 0; got != tt.ends {
				t.Errorf("got %d shares left, want ended %v", len(left), tt.ends)
			}
			with, err := st.SharesWith(ctx, sharer.ID)
			if err != nil || len(with) != 1 {
				t.Errorf("got %d shares with the user (%v), want the other owner's one kept", len(with), err)
			}
		})
	}
}
