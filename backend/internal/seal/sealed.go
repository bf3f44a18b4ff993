package seal

import (
	"crypto/rand"
	"fmt"
)

// NonceSize is the length in bytes of the random nonce of each sealed
// value, the standard size for GCM.
const NonceSize = 12

// Sealed is the stored form of a secret: the id of the key that sealed
// it, the nonce, and the AES-256-GCM ciphertext with its tag.
type Sealed struct {
	KeyID string `bson:"kid" json:"kid"`
	Nonce []byte `bson:"nonce" json:"nonce"`
	Data  []byte `bson:"data" json:"data"`
}

// IsZero reports whether s holds nothing, as when no secret was stored.
func (s Sealed) IsZero() bool {
	return s.KeyID == "" && len(s.Nonce) == 0 && len(s.Data) == 0
}

// Seal encrypts plaintext with the primary key under a fresh random
// nonce. aad is not stored but must be given again to Open; passing the
// record the value belongs to, such as "connection:<id>:tokens", stops a
// sealed value copied into another record from opening.
//
// Random nonces keep a key safe for about 2^32 seals; rotate the primary
// key long before that.
func (r *Keyring) Seal(plaintext, aad []byte) (Sealed, error) {
	aead, ok := r.aeads[r.primary.ID]
	if r.primary.IsZero() || !ok {
		return Sealed{}, fmt.Errorf("seal: keyring has no primary key: %w", ErrInvalidKey)
	}

	nonce := make([]byte, NonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, fmt.Errorf("seal: make nonce: %w", err)
	}

	return Sealed{
		KeyID: r.primary.ID,
		Nonce: nonce,
		Data:  aead.Seal(nil, nonce, plaintext, aad),
	}, nil
}

// Open decrypts s with the key named by s.KeyID and checks it against
// aad. It fails with ErrUnknownKey when the keyring has no such key, and
// with ErrOpen when s is empty, was altered, or was sealed with other
// additional data.
func (r *Keyring) Open(s Sealed, aad []byte) ([]byte, error) {
	if s.IsZero() {
		return nil, fmt.Errorf("seal: open: empty value: %w", ErrOpen)
	}
	aead, ok := r.aeads[s.KeyID]
	if !ok {
		return nil, fmt.Errorf("seal: open: key %q: %w", s.KeyID, ErrUnknownKey)
	}
	if len(s.Nonce) != aead.NonceSize() {
		// GCM panics on a nonce of the wrong size.
		return nil, fmt.Errorf("seal: open: nonce is %d bytes, want %d: %w",
			len(s.Nonce), aead.NonceSize(), ErrOpen)
	}

	plaintext, err := aead.Open(nil, s.Nonce, s.Data, aad)
	if err != nil {
		return nil, fmt.Errorf("seal: open: %w", ErrOpen)
	}
	return plaintext, nil
}

// SealString seals s with aad as additional data; see Seal.
func (r *Keyring) SealString(s, aad string) (Sealed, error) {
	return r.Seal([]byte(s), []byte(aad))
}

// OpenString opens a value sealed by SealString with the same aad; see
// Open.
func (r *Keyring) OpenString(s Sealed, aad string) (string, error) {
	plaintext, err := r.Open(s, []byte(aad))
	if err != nil {
		return "", err
	}
	return string(plaintext), nil
}
