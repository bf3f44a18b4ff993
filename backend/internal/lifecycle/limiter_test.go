package lifecycle

import (
	"errors"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// limiterClock is a clock the test moves by hand.
type limiterClock struct{ t time.Time }

func (c *limiterClock) now() time.Time          { return c.t }
func (c *limiterClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// limiterStep is one attempt in a limiter scenario: after waiting wait,
// who tries, and how long the limiter must ask to wait (0: allowed).
type limiterStep struct {
	wait          time.Duration
	owner, conn   string
	wantRetrySecs int
}

// limiterBurst is verifyBurst allowed attempts at the same instant.
func limiterBurst(owner, conn string) []limiterStep {
	steps := make([]limiterStep, verifyBurst)
	for i := range steps {
		steps[i] = limiterStep{owner: owner, conn: conn}
	}
	return steps
}

func TestAttemptLimiter(t *testing.T) {
	every := int(verifyEvery / time.Second)
	tests := []struct {
		name  string
		steps []limiterStep
	}{
		{
			name: "burst then refused",
			steps: append(limiterBurst("o", "c"),
				limiterStep{owner: "o", conn: "c", wantRetrySecs: every}),
		},
		{
			name: "one more after the refill interval",
			steps: append(limiterBurst("o", "c"),
				limiterStep{wait: verifyEvery, owner: "o", conn: "c"},
				limiterStep{owner: "o", conn: "c", wantRetrySecs: every}),
		},
		{
			name: "refused attempts do not use up the budget",
			steps: append(limiterBurst("o", "c"),
				limiterStep{owner: "o", conn: "c", wantRetrySecs: every},
				limiterStep{owner: "o", conn: "c", wantRetrySecs: every},
				limiterStep{owner: "o", conn: "c", wantRetrySecs: every},
				limiterStep{wait: verifyEvery, owner: "o", conn: "c"}),
		},
		{
			name: "retry after rounds up to whole seconds",
			steps: append(limiterBurst("o", "c"),
				limiterStep{wait: verifyEvery/2 + 100*time.Millisecond, owner: "o", conn: "c",
					wantRetrySecs: every / 2}),
		},
		{
			name: "other connections and owners keep their own budget",
			steps: append(limiterBurst("o", "c"),
				limiterStep{owner: "o", conn: "c2"},
				limiterStep{owner: "o2", conn: "c"},
				limiterStep{owner: "o", conn: "c", wantRetrySecs: every}),
		},
		{
			name: "ids that join alike are different buckets",
			steps: append(limiterBurst("a/b", "c"),
				limiterStep{owner: "a", conn: "b/c"}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &limiterClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
			l := newAttemptLimiter(clock.now, verifyEvery, verifyBurst, "verification attempts")
			for i, s := range tt.steps {
				clock.advance(s.wait)
				err := l.allow(s.owner, s.conn)
				if got := limiterRetrySecs(t, err); got != s.wantRetrySecs {
					t.Errorf("step %d (%s/%s): got retry after %d s (%v), want %d s",
						i+1, s.owner, s.conn, got, err, s.wantRetrySecs)
				}
			}
		})
	}
}

// limiterRetrySecs returns how long a refusal asks to wait, 0 for no error.
func limiterRetrySecs(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var le *Error
	if !errors.As(err, &le) || le.Code != shared.CodeRateLimited {
		t.Fatalf("got error %v, want a %s *Error", err, shared.CodeRateLimited)
	}
	if le.RetryAfter <= 0 {
		t.Errorf("RetryAfter: got %d, want more than 0", le.RetryAfter)
	}
	return le.RetryAfter
}

// TestAttemptLimiterForgetsFullBuckets checks that dropping buckets that
// have refilled loses no limit: a connection that is still being limited
// keeps its bucket.
func TestAttemptLimiterForgetsFullBuckets(t *testing.T) {
	clock := &limiterClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newAttemptLimiter(clock.now, verifyEvery, verifyBurst, "verification attempts")
	for range verifyBurst {
		if err := l.allow("o", "busy"); err != nil {
			t.Fatalf("allow busy: %v", err)
		}
	}
	if err := l.allow("o", "idle"); err != nil {
		t.Fatalf("allow idle: %v", err)
	}
	clock.advance(verifyEvery)

	l.forgetFull(clock.now())

	if _, ok := l.buckets[attemptKey{"o", "idle"}]; ok {
		t.Errorf("the refilled bucket of idle: got kept, want dropped")
	}
	if _, ok := l.buckets[attemptKey{"o", "busy"}]; !ok {
		t.Fatalf("the bucket of busy: got dropped, want kept")
	}
	if err := l.allow("o", "busy"); err != nil {
		t.Errorf("busy after one interval: got %v, want allowed", err)
	}
	if got := limiterRetrySecs(t, l.allow("o", "busy")); got == 0 {
		t.Errorf("busy again: got allowed, want refused")
	}
}
