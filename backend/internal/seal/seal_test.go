package seal

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	r := NewKeyring(testKey(t, 1))
	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{name: "token", plaintext: []byte("ya29.a0AfH6SMB"), aad: []byte("connection:42:tokens")},
		{name: "empty plaintext", plaintext: []byte{}, aad: []byte("service:x:client_secret")},
		{name: "no aad", plaintext: []byte("password"), aad: nil},
		{name: "binary", plaintext: rawKey(200), aad: []byte{0, 1, 2}},
		{name: "large", plaintext: bytes.Repeat([]byte("a"), 1<<16), aad: []byte("big")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := r.Seal(tt.plaintext, tt.aad)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if s.KeyID != r.Primary().ID {
				t.Errorf("KeyID: got %q, want %q", s.KeyID, r.Primary().ID)
			}
			if len(s.Nonce) != NonceSize {
				t.Errorf("nonce length: got %d, want %d", len(s.Nonce), NonceSize)
			}
			if len(tt.plaintext) >= 4 && bytes.Contains(s.Data, tt.plaintext) {
				t.Errorf("sealed data contains the plaintext")
			}

			got, err := r.Open(s, tt.aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open: got %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestOpenFails(t *testing.T) {
	const plaintext, aad = "client-secret-value", "service:github:client_secret"
	r := NewKeyring(testKey(t, 1))
	other := NewKeyring(testKey(t, 2))
	good, err := r.SealString(plaintext, aad)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.SealString(plaintext, aad)
	if err != nil {
		t.Fatal(err)
	}

	// Each case opens with aad unless it names other additional data.
	tests := []struct {
		name     string
		sealed   Sealed
		otherAAD string
		wantErr  error
	}{
		{name: "other record's aad", sealed: good, otherAAD: "service:gitlab:client_secret"},
		{name: "aad prefix", sealed: good, otherAAD: aad[:len(aad)-1]},
		{name: "flipped data bit", sealed: changeData(good, 0)},
		{name: "flipped tag bit", sealed: changeData(good, len(good.Data)-1)},
		{name: "truncated data", sealed: withData(good, good.Data[:10])},
		{name: "no data", sealed: withData(good, nil)},
		{name: "changed nonce", sealed: changeNonce(good, good.Nonce)},
		{name: "short nonce", sealed: changeNonce(good, good.Nonce[:8])},
		{name: "zero value", sealed: Sealed{}},
		{name: "other key claimed", sealed: withKeyID(foreign, good.KeyID)},
		{name: "unknown key", sealed: foreign, wantErr: ErrUnknownKey},
		{name: "missing key id", sealed: withKeyID(good, ""), wantErr: ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr := cmp.Or(tt.wantErr, ErrOpen)
			got, err := r.OpenString(tt.sealed, cmp.Or(tt.otherAAD, aad))
			if !errors.Is(err, wantErr) {
				t.Fatalf("error: got %v, want %v", err, wantErr)
			}
			if got != "" {
				t.Errorf("plaintext: got %q, want none", got)
			}
			if strings.Contains(err.Error(), plaintext) {
				t.Errorf("error %q contains the plaintext", err)
			}
		})
	}
}

func TestOpenUnknownKeyNamesID(t *testing.T) {
	s, err := NewKeyring(testKey(t, 2)).SealString("x", "a")
	if err != nil {
		t.Fatal(err)
	}

	_, err = NewKeyring(testKey(t, 1)).OpenString(s, "a")
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), s.KeyID) {
		t.Errorf("error: got %v, want ErrUnknownKey naming %s", err, s.KeyID)
	}
}

// changeData returns a copy of s with one bit of Data at i flipped.
func changeData(s Sealed, i int) Sealed {
	data := slices.Clone(s.Data)
	data[i] ^= 0x01
	return withData(s, data)
}

func withData(s Sealed, data []byte) Sealed {
	s.Data = data
	return s
}

// changeNonce returns s with a copy of nonce, its last byte changed.
func changeNonce(s Sealed, nonce []byte) Sealed {
	s.Nonce = slices.Clone(nonce)
	s.Nonce[len(s.Nonce)-1] ^= 0x80
	return s
}

func withKeyID(s Sealed, id string) Sealed {
	s.KeyID = id
	return s
}

func TestRotation(t *testing.T) {
	oldKey, newKey := testKey(t, 1), testKey(t, 2)
	before := NewKeyring(oldKey)
	after := NewKeyring(newKey, oldKey)
	sealedOld, err := before.SealString("refresh-token", "connection:7:tokens")
	if err != nil {
		t.Fatal(err)
	}
	sealedNew, err := after.SealString("refresh-token", "connection:7:tokens")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name         string
		ring         *Keyring
		sealed       Sealed
		wantErr      error
		wantReseal   bool
		wantSealedBy string
	}{
		{
			name: "old value, new ring", ring: after, sealed: sealedOld,
			wantReseal: true, wantSealedBy: oldKey.ID,
		},
		{name: "new value, new ring", ring: after, sealed: sealedNew, wantSealedBy: newKey.ID},
		{name: "old value, old ring", ring: before, sealed: sealedOld, wantSealedBy: oldKey.ID},
		{
			name: "new value, old ring", ring: before, sealed: sealedNew,
			wantErr: ErrUnknownKey, wantReseal: true, wantSealedBy: newKey.ID,
		},
		{
			name: "old key dropped", ring: NewKeyring(newKey), sealed: sealedOld,
			wantErr: ErrUnknownKey, wantReseal: true, wantSealedBy: oldKey.ID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sealed.KeyID != tt.wantSealedBy {
				t.Errorf("KeyID: got %s, want %s", tt.sealed.KeyID, tt.wantSealedBy)
			}
			if got := tt.ring.NeedsReseal(tt.sealed); got != tt.wantReseal {
				t.Errorf("NeedsReseal: got %t, want %t", got, tt.wantReseal)
			}
			got, err := tt.ring.OpenString(tt.sealed, "connection:7:tokens")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open error: got %v, want %v", err, tt.wantErr)
			}
			if err == nil && got != "refresh-token" {
				t.Errorf("Open: got %q, want %q", got, "refresh-token")
			}
		})
	}
}

func TestNeedsResealZero(t *testing.T) {
	if NewKeyring(testKey(t, 1)).NeedsReseal(Sealed{}) {
		t.Errorf("NeedsReseal(Sealed{}): got true, want false")
	}
}

func TestNoncesDiffer(t *testing.T) {
	r := NewKeyring(testKey(t, 1))
	seen := make(map[string]bool)
	for i := range 100 {
		s, err := r.SealString("same value", "same:record")
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(s.Nonce)] {
			t.Fatalf("seal %d: got a nonce seen before", i)
		}
		seen[string(s.Nonce)] = true
	}
}

func TestKeyring(t *testing.T) {
	k1, k2, k3 := testKey(t, 1), testKey(t, 2), testKey(t, 3)
	renamed := k2
	renamed.ID = "made-up"

	tests := []struct {
		name        string
		ring        *Keyring
		wantPrimary string
		wantIDs     []string
		wantSealErr error
	}{
		{name: "primary only", ring: NewKeyring(k1), wantPrimary: k1.ID, wantIDs: []string{k1.ID}},
		{
			name: "with old keys", ring: NewKeyring(k3, k1, k2),
			wantPrimary: k3.ID, wantIDs: []string{k3.ID, k1.ID, k2.ID},
		},
		{
			name: "repeats and zero keys skipped", ring: NewKeyring(k1, k1, Key{}, k2, k2),
			wantPrimary: k1.ID, wantIDs: []string{k1.ID, k2.ID},
		},
		{
			name: "id derived again", ring: NewKeyring(renamed),
			wantPrimary: k2.ID, wantIDs: []string{k2.ID},
		},
		{
			name: "zero primary", ring: NewKeyring(Key{}, k1),
			wantPrimary: "", wantIDs: []string{k1.ID}, wantSealErr: ErrInvalidKey,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ring.Primary().ID; got != tt.wantPrimary {
				t.Errorf("Primary: got %q, want %q", got, tt.wantPrimary)
			}
			if got := tt.ring.IDs(); !slices.Equal(got, tt.wantIDs) {
				t.Errorf("IDs: got %v, want %v", got, tt.wantIDs)
			}
			if _, err := tt.ring.SealString("v", "a"); !errors.Is(err, tt.wantSealErr) {
				t.Errorf("Seal error: got %v, want %v", err, tt.wantSealErr)
			}
		})
	}
}

func TestKeyringPrinting(t *testing.T) {
	k := testKey(t, 0x41)
	r := NewKeyring(k)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		t.Run(verb, func(t *testing.T) {
			got := fmt.Sprintf(verb, r)
			for _, form := range keyForms(k.bytes[:]) {
				if strings.Contains(got, form) {
					t.Errorf("got %q, which shows the key as %q", got, form)
				}
			}
		})
	}
}

func BenchmarkSeal(b *testing.B) {
	r := NewKeyring(testKey(b, 1))
	plaintext := bytes.Repeat([]byte("x"), 200)
	aad := []byte("connection:0123456789abcdef:tokens")
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		if _, err := r.Seal(plaintext, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	r := NewKeyring(testKey(b, 1))
	plaintext := bytes.Repeat([]byte("x"), 200)
	aad := []byte("connection:0123456789abcdef:tokens")
	s, err := r.Seal(plaintext, aad)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		if _, err := r.Open(s, aad); err != nil {
			b.Fatal(err)
		}
	}
}
