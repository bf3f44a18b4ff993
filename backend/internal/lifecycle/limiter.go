package lifecycle

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/plugboard/plugboard/shared"
)

// Verification attempts allowed per owner and connection: a burst of
// verifyBurst, then one every verifyEvery. Enough for a person correcting
// a typo; far too few to guess a password.
const (
	verifyBurst = 5
	verifyEvery = 12 * time.Second
)

// Refreshes that a service's 401 answer may cause per connection: one,
// then one every rejectedEvery. A caller who can make the service answer
// 401 (a user the connection is shared with, say) cannot make the
// owner's provider issue tokens without end.
const (
	rejectedBurst = 1
	rejectedEvery = 30 * time.Second
)

// attemptLimiter rate-limits something per owner and connection
// (credential verification, refreshes after a 401), with one token bucket
// (golang.org/x/time/rate) each.
//
// The buckets live in this process: with several server instances each
// allows its own budget. That multiplies the budget by the number of
// instances, which still keeps guessing impractical.
type attemptLimiter struct {
	mu      sync.Mutex
	buckets map[attemptKey]*rate.Limiter
	now     func() time.Time
	every   time.Duration
	burst   int
	// what names the attempts in the refusal's words.
	what string
}

// attemptKey names one bucket. A struct rather than a joined string, so
// that no pair of ids can name another pair's bucket.
type attemptKey struct{ owner, connID string }

// newAttemptLimiter allows burst attempts, then one every every.
func newAttemptLimiter(now func() time.Time, every time.Duration, burst int, what string) *attemptLimiter {
	return &attemptLimiter{buckets: map[attemptKey]*rate.Limiter{}, now: now,
		every: every, burst: burst, what: what}
}

// allow takes one attempt, or says how long to wait for the next one.
func (l *attemptLimiter) allow(owner, connID string) error {
	key := attemptKey{owner, connID}
	now := l.now()
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) > 100000 {
			l.forgetFull(now)
		}
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	if delay > 0 {
		r.CancelAt(now)
	}
	l.mu.Unlock()

	if delay <= 0 {
		return nil
	}
	secs := int(math.Ceil(delay.Seconds()))
	return &Error{
		Code:       shared.CodeRateLimited,
		Detail:     "Too many " + l.what + " for this connection; wait before trying again.",
		RetryAfter: secs,
	}
}

// forgetFull drops buckets that have refilled completely: forgetting them
// loses nothing.
func (l *attemptLimiter) forgetFull(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}
