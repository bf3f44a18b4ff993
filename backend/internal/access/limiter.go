package access

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Password attempts allowed, each limit a burst and then one attempt
// every so often. Per username and client address: enough for a person
// mistyping, far too few to guess a password. Per username from every
// address together: looser, so that someone failing on purpose from one
// address cannot keep the user out from another, yet a guesser spread
// over many addresses is still bounded. Per client address: bounds one
// guesser trying many usernames.
const (
	userAddrAttemptBurst = 5
	userAddrAttemptEvery = 20 * time.Second
	userAttemptBurst     = 50
	userAttemptEvery     = 10 * time.Second
	ipAttemptBurst       = 20
	ipAttemptEvery       = 3 * time.Second
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

// attempt is one password check under way, counted against each of
// its limits.
type attempt struct {
	s      *Service
	counts []count
}

// count is one limit an attempt counts against: a limiter and its key.
type count struct {
	l   *limiter
	key string
}

// countsOf lists the limits an attempt for username from address addr
// counts against. An empty username counts against the address only.
func (s *Service) countsOf(username, addr string) []count {
	c := []count{{s.byIP, addr}}
	if username != "" {
		// Client addresses hold no NUL, so no two pairs share a key.
		c = append(c, count{s.byUserAddr, username + "\x00" + addr}, count{s.byUser, username})
	}
	return c
}

// beginAttempt starts a password check for username from address addr,
// or fails with a *RateLimitError when any of its limits is reached.
func (s *Service) beginAttempt(username, addr string) (attempt, error) {
	now := s.now()
	counts := s.countsOf(username, addr)
	for i, c := range counts {
		if wait := c.l.begin(c.key, now); wait > 0 {
			for _, begun := range counts[:i] {
				begun.l.end(begun.key, now, false)
			}
			return attempt{}, &RateLimitError{RetryAfter: wait}
		}
	}
	return attempt{s: s, counts: counts}, nil
}

// end finishes the attempt; a failed one counts against every limit.
func (a attempt) end(failed bool) {
	now := a.s.now()
	for _, c := range a.counts {
		c.l.end(c.key, now, failed)
	}
}
