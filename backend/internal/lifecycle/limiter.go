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

// attemptLimiter rate-limits credential verification per owner and
// connection, with one token bucket (golang.org/x/time/rate) each.
//
// The buckets live in this process: with several server instances each
// allows its own budget. That multiplies the budget by the number of
// instances, which still keeps guessing impractical.
type attemptLimiter struct {
	mu      sync.Mutex
	buckets map[attemptKey]*rate.Limiter
	now     func() time.Time
}

// attemptKey names one bucket. A struct rather than a joined string, so
// that no pair of ids can name another pair's bucket.
type attemptKey struct{ owner, connID string }

func newAttemptLimiter(now func() time.Time) *attemptLimiter {
	return &attemptLimiter{buckets: map[attemptKey]*rate.Limiter{}, now: now}
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
		b = rate.NewLimiter(rate.Every(verifyEvery), verifyBurst)
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
		Detail:     "Too many verification attempts for this connection; wait before trying again.",
		RetryAfter: secs,
	}
}

// forgetFull drops buckets that have refilled completely: forgetting them
// loses nothing.
func (l *attemptLimiter) forgetFull(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= verifyBurst {
			delete(l.buckets, k)
		}
	}
}
