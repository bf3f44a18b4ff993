package access

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

func TestLimiterCountsFailures(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(5, 20*time.Second)

	for i := range 10 {
		if wait := l.begin("ann", at); wait != 0 {
			t.Fatalf("success %d: got wait %v, want none: successes take no token", i, wait)
		}
		l.end("ann", at, false)
	}
	for i := range 5 {
		if wait := l.begin("ann", at); wait != 0 {
			t.Fatalf("failure %d: got wait %v, want none within the burst", i, wait)
		}
		l.end("ann", at, true)
	}
	if wait := l.begin("ann", at); wait <= 0 || wait > 20*time.Second {
		t.Errorf("got wait %v after 5 failures, want up to 20s", wait)
	}
	if wait := l.begin("bob", at); wait != 0 {
		t.Errorf("got wait %v for another key, want none", wait)
	}
	if wait := l.begin("ann", at.Add(20*time.Second)); wait != 0 {
		t.Errorf("got wait %v after 20s, want one more attempt", wait)
	}
}

func TestLimiterCountsAttemptsUnderWay(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(5, 20*time.Second)
	for i := range 5 {
		if wait := l.begin("ann", at); wait != 0 {
			t.Fatalf("attempt %d: got wait %v, want none", i, wait)
		}
	}
	if wait := l.begin("ann", at); wait == 0 {
		t.Errorf("got a sixth attempt while five are under way, want a wait")
	}
	l.end("ann", at, false)
	if wait := l.begin("ann", at); wait != 0 {
		t.Errorf("got wait %v after one attempt succeeded, want its place free", wait)
	}
}

func TestUsernameFrom(t *testing.T) {
	tests := []struct{ name, want string }{
		{"second", "second"},
		{"Second Owner!", "second-owner"},
		{"__x__", "user"},
		{"Ünïcode Name", "n-code-name"},
		{"", "user"},
		{"a.b_c-d", "a.b_c-d"},
	}
	for _, tt := range tests {
		if got := usernameFrom(tt.name); got != tt.want {
			t.Errorf("usernameFrom(%q): got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestGuessesFromOneAddressLeaveOthersAlone fails a user's password from
// one address until that address is refused: the right password still
// works from another address.
func TestGuessesFromOneAddressLeaveOthersAlone(t *testing.T) {
	ctx := context.Background()
	svc, _, admin := startWithAdmin(t)
	const password = "the victim's password"
	if _, err := svc.CreateUser(ctx, admin, shared.UserInput{Username: "victim",
		Role: shared.RoleMember, Password: password}); err != nil {
		t.Fatalf("create a user: %v", err)
	}
	const attacker, victim = "198.51.100.7", "203.0.113.9"

	var rl *RateLimitError
	for i := 0; ; i++ {
		_, err := svc.SignInWithPassword(ctx, "victim", "guess", attacker)
		if errors.As(err, &rl) {
			break
		}
		if !errors.Is(err, ErrUnauthenticated) || i == userAddrAttemptBurst {
			t.Fatalf("guess %d: got %v, want ErrUnauthenticated within the burst, then a limit", i, err)
		}
	}
	if _, err := svc.SignInWithPassword(ctx, "victim", password, attacker); !errors.As(err, &rl) {
		t.Errorf("right password from the guessing address: got %v, want a RateLimitError", err)
	}
	if _, err := svc.SignInWithPassword(ctx, "victim", password, victim); err != nil {
		t.Errorf("right password from another address: got %v, want a session", err)
	}
}

// TestUsernameLimitAcrossAddresses spreads failures for one username
// over many addresses, each within its own limit: the looser limit per
// username still stops them.
func TestUsernameLimitAcrossAddresses(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	svc := New(nil, nil)
	svc.now = clk.now
	addr := func(i int) string { return fmt.Sprintf("198.51.100.%d", i) }

	for i := range userAttemptBurst {
		a, err := svc.beginAttempt("ann", addr(i))
		if err != nil {
			t.Fatalf("failure %d from a fresh address: got %v, want it let through", i, err)
		}
		a.end(true)
	}
	var rl *RateLimitError
	_, err := svc.beginAttempt("ann", addr(userAttemptBurst))
	if !errors.As(err, &rl) || rl.RetryAfter > userAttemptEvery {
		t.Errorf("attempt from yet another address: got %v, want a wait of up to %v", err, userAttemptEvery)
	}
	if a, err := svc.beginAttempt("bob", addr(userAttemptBurst)); err != nil {
		t.Errorf("another username from that address: got %v, want it let through", err)
	} else {
		a.end(false)
	}

	clk.advance(userAttemptEvery)
	if _, err := svc.beginAttempt("ann", addr(userAttemptBurst)); err != nil {
		t.Errorf("after %v: got %v, want one more attempt", userAttemptEvery, err)
	}
}

// TestRefusedAttemptReleasesOtherLimits checks that an attempt refused by
// one limit does not hold places of the limits checked before it.
func TestRefusedAttemptReleasesOtherLimits(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc := New(nil, nil)
	svc.now = func() time.Time { return at }
	for range userAddrAttemptBurst {
		a, err := svc.beginAttempt("ann", "192.0.2.1")
		if err != nil {
			t.Fatalf("begin: %v", err)
		}
		a.end(true)
	}
	// Many refused attempts for ann must not use up the address's limit.
	for range 3 * ipAttemptBurst {
		if _, err := svc.beginAttempt("ann", "192.0.2.1"); err == nil {
			t.Fatal("got an attempt past the limit of the username and address, want a refusal")
		}
	}
	if _, err := svc.beginAttempt("bob", "192.0.2.1"); err != nil {
		t.Errorf("another username from the address: got %v, want it let through", err)
	}
}
