package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"slices"
)

// Keyring seals with its primary key and opens with any of its keys. It
// is safe for concurrent use.
type Keyring struct {
	primary Key
	ids     []string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a keyring that seals with primary and opens values
// sealed with primary or any of old. Zero keys and repeated keys are
// skipped; a keyring whose primary is the zero Key cannot seal.
func NewKeyring(primary Key, old ...Key) *Keyring {
	r := &Keyring{aeads: make(map[string]cipher.AEAD, 1+len(old))}
	for i, k := range slices.Concat([]Key{primary}, old) {
		if k.IsZero() {
			continue
		}
		// The id is derived again because Key.ID is an exported field.
		id := keyID(k.bytes)
		if i == 0 {
			r.primary = Key{ID: id, bytes: k.bytes}
		}
		if _, ok := r.aeads[id]; ok {
			continue
		}
		r.aeads[id] = newAEAD(k.bytes)
		r.ids = append(r.ids, id)
	}
	return r
}

// newAEAD returns AES-256-GCM with the standard 12-byte nonce and 16-byte
// tag for key b.
func newAEAD(b *[KeySize]byte) cipher.AEAD {
	block, err := aes.NewCipher(b[:])
	if err != nil {
		// Unreachable: AES accepts every 32-byte key.
		panic("seal: aes: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		// Unreachable: GCM accepts every 16-byte block cipher.
		panic("seal: gcm: " + err.Error())
	}
	return aead
}

// Primary returns the key that seals new values.
func (r *Keyring) Primary() Key {
	return r.primary
}

// IDs returns the ids of the keyring's keys, the primary first, then the
// old keys in the order they were given.
func (r *Keyring) IDs() []string {
	return slices.Clone(r.ids)
}

// NeedsReseal reports whether s was sealed with a key other than the
// primary, so that it should be opened and sealed again after a key
// rotation. The zero Sealed needs no reseal.
func (r *Keyring) NeedsReseal(s Sealed) bool {
	return !s.IsZero() && s.KeyID != r.primary.ID
}

// String describes the keyring by its primary key id and key count.
func (r *Keyring) String() string {
	return fmt.Sprintf("seal.Keyring(primary=%s, keys=%d)", r.primary.ID, len(r.ids))
}

// Format writes the same text as String for every verb, so that no verb
// prints key material.
func (r *Keyring) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, r.String())
}
