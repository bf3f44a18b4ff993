package access

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Password attempts allowed: per username a burst of userAttemptBurst,
// then one every userAttemptEvery; per client address a burst of
// ipAttemptBurst, then one every ipAttemptEvery. Enough for a person
// mistyping; far too few to guess a password.
const (
	userAttemptBurst = 5
	userAttemptEvery = 20 * time.Second
	ipAttemptBurst   = 20
	ipAttemptEvery   = 3 * time.Second
	// maxBuckets bounds a limiter's memory; beyond it, buckets that have
	// refilled are dropped.
	maxBuckets = 100000
)

// RateLimitError: too many failed attempts; wait RetryAfter.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("access: too many sign-in attempts; retry after %s", e.RetryAfter)
}

// RetrySeconds is RetryAfter in whole seconds, rounded up.
func (e *RateLimitError) RetrySeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

// limiter counts failed attempts per key (a username or a client
// address), with one token bucket (golang.org/x/time/rate) each. Only
// failures take a token, so people who type their password right are
// never held up; attempts still being checked count as taken, so that
// many sent at once cannot all slip through while the bucket looks full.
//
// The buckets live in this process: with several server instances each
// allows its own budget, which multiplies it by the number of instances
// and still keeps guessing impractical.
type limiter struct {
	burst   int
	every   time.Duration
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens *rate.Limiter
	// pending counts attempts begun and not yet ended.
	pending int
}

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{burst: burst, every: every, buckets: map[string]*bucket{}}
}

// begin starts an attempt for key, or says how long to wait before one.
func (l *limiter) begin(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.forgetFull(now)
		}
		b = &bucket{tokens: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[key] = b
	}
	left := b.tokens.TokensAt(now) - float64(b.pending)
	if left < 1 {
		return time.Duration((1 - left) * float64(l.every))
	}
	b.pending++
	return 0
}

// end finishes an attempt that begin let through; a failed one takes a
// token.
func (l *limiter) end(key string, now time.Time, failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return
	}
	b.pending--
	if failed {
		b.tokens.ReserveN(now, 1)
	}
}

// forgetFull drops buckets that have refilled completely and have no
// attempt under way: forgetting them loses nothing.
func (l *limiter) forgetFull(now time.Time) {
	for k, b := range l.buckets {
		if b.pending == 0 && b.tokens.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// attempt is one password check under way, counted against its username
// and client address.
type attempt struct {
	s              *Service
	username, addr string
}

// beginAttempt starts a password check for username from address addr,
// or fails with a *RateLimitError. An empty username counts against the
// address only.
func (s *Service) beginAttempt(username, addr string) (attempt, error) {
	now := s.now()
	if wait := s.byIP.begin(addr, now); wait > 0 {
		return attempt{}, &RateLimitError{RetryAfter: wait}
	}
	if username != "" {
		if wait := s.byUser.begin(username, now); wait > 0 {
			s.byIP.end(addr, now, false)
			return attempt{}, &RateLimitError{RetryAfter: wait}
		}
	}
	return attempt{s: s, username: username, addr: addr}, nil
}

// end finishes the attempt; a failed one counts against both limits.
func (a attempt) end(failed bool) {
	now := a.s.now()
	a.s.byIP.end(a.addr, now, failed)
	if a.username != "" {
		a.s.byUser.end(a.username, now, failed)
	}
}
