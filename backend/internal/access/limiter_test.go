package access

import (
	"testing"
	"time"
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
