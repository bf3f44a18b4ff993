package outbound

import (
	"fmt"
	"io"
)

// limitedBody fails reads with ErrResponseTooLarge once more than limit
// bytes have arrived, or at once if the declared length is over the limit.
type limitedBody struct {
	rc    io.ReadCloser
	limit int64
	left  int64 // bytes still allowed; negative once the limit is passed
}

// newLimitedBody caps rc at limit bytes; length is the declared
// Content-Length, or -1 if unknown.
func newLimitedBody(rc io.ReadCloser, length, limit int64) *limitedBody {
	b := &limitedBody{rc: rc, limit: limit, left: limit}
	if length > limit {
		b.left = -1
	}
	return b
}

// Read reads up to the limit, then fails if the body goes on.
func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.tooLarge()
	}
	// Read one byte past the limit to tell a body of exactly limit
	// bytes from a longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = -1
		return n, b.tooLarge()
	}
	b.left -= int64(n)
	return n, err
}

// tooLarge returns the error for a body over the limit.
func (b *limitedBody) tooLarge() error {
	return fmt.Errorf("body limit %d bytes: %w", b.limit, ErrResponseTooLarge)
}

// Close closes the underlying body.
func (b *limitedBody) Close() error {
	return b.rc.Close()
}
