package seal

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
)

// KeySize is the length in bytes of an AES-256 key.
const KeySize = 32

// keyIDLabel separates key ids from any other hash of the same key.
const keyIDLabel = "plugboard/seal key id v1\x00"

// Key is an AES-256 key together with its id. The id is derived from the
// key, so the same key always has the same id, and reveals nothing about
// it. Printing or logging a Key shows only the id.
type Key struct {
	// ID names the key inside sealed values.
	ID string
	// bytes sits behind a pointer so that fmt, which cannot call methods
	// on a Key held in an unexported field, prints an address instead.
	bytes *[KeySize]byte
}

// Compile-time checks that a Key cannot be printed or logged in full.
var (
	_ fmt.Stringer   = Key{}
	_ fmt.GoStringer = Key{}
	_ fmt.Formatter  = Key{}
	_ slog.LogValuer = Key{}
)

// NewKey returns the key made of raw, which must be KeySize bytes long.
// The key keeps its own copy of raw.
func NewKey(raw []byte) (Key, error) {
	k, err := newKey(raw)
	if err != nil {
		return Key{}, fmt.Errorf("seal: new key: %w", err)
	}
	return k, nil
}

func newKey(raw []byte) (Key, error) {
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("got %d bytes, want %d: %w", len(raw), KeySize, ErrInvalidKey)
	}

	b := new([KeySize]byte)
	copy(b[:], raw)
	return Key{ID: keyID(b), bytes: b}, nil
}

// keyID returns the first 8 bytes of SHA-256 over a fixed label and the
// key, in hex.
func keyID(b *[KeySize]byte) string {
	h := sha256.New()
	h.Write([]byte(keyIDLabel))
	h.Write(b[:])
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// IsZero reports whether k holds no key material.
func (k Key) IsZero() bool {
	return k.bytes == nil
}

// String returns the key's id in the form seal.Key(<id>).
func (k Key) String() string {
	return "seal.Key(" + k.ID + ")"
}

// GoString returns the same text as String, so %#v shows no key bytes.
func (k Key) GoString() string {
	return k.String()
}

// Format writes the same text as String for every verb.
func (k Key) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, k.String())
}

// LogValue logs the key as a group holding only its id.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID))
}
