package seal

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// tokens is the kind of value stored with SealJSON.
type tokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
	Expiry  int64  `json:"expiry"`
}

func TestSealJSONRoundTrip(t *testing.T) {
	r := NewKeyring(testKey(t, 1))
	want := tokens{Access: "at-123", Refresh: "rt-456", Expiry: 1700000000}

	s, err := r.SealJSON(want, "connection:1:tokens")
	if err != nil {
		t.Fatalf("SealJSON: %v", err)
	}
	var got tokens
	if err := r.OpenJSON(s, "connection:1:tokens", &got); err != nil {
		t.Fatalf("OpenJSON: %v", err)
	}
	if got != want {
		t.Errorf("OpenJSON: got %+v, want %+v", got, want)
	}
}

// failingMarshaler fails with an error that quotes its secret.
type failingMarshaler struct{ secret string }

func (m failingMarshaler) MarshalJSON() ([]byte, error) {
	return nil, errors.New("cannot encode " + m.secret)
}

func TestSealJSONErrors(t *testing.T) {
	r := NewKeyring(testKey(t, 1))
	tests := []struct {
		name   string
		value  any
		secret string
	}{
		{name: "unsupported type", value: map[string]any{"f": func() {}}},
		{name: "unsupported value", value: map[string]float64{"pin": math.Inf(1)}, secret: "Inf"},
		{name: "marshaler error", value: failingMarshaler{secret: "hunter2"}, secret: "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.SealJSON(tt.value, "a")
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("error: got %v, want %v", err, ErrDecode)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q shows %q", err, tt.secret)
			}
		})
	}
}

func TestOpenJSONErrors(t *testing.T) {
	r := NewKeyring(testKey(t, 1))
	seal := func(s string) Sealed {
		t.Helper()
		sealed, err := r.SealString(s, "a")
		if err != nil {
			t.Fatal(err)
		}
		return sealed
	}

	tests := []struct {
		name    string
		sealed  Sealed
		aad     string
		into    any
		wantErr error
		secret  string
	}{
		{
			name: "wrong aad", sealed: seal(`{"expiry":1}`), aad: "b",
			into: &tokens{}, wantErr: ErrOpen,
		},
		{
			name: "not a pointer", sealed: seal(`{"expiry":1}`), aad: "a",
			into: tokens{}, wantErr: ErrDecode,
		},
		{
			name: "not json", sealed: seal("Zsecret"), aad: "a",
			into: &tokens{}, wantErr: ErrDecode, secret: "Z",
		},
		{
			name: "number into string", sealed: seal(`{"access_token":987654}`), aad: "a",
			into: &tokens{}, wantErr: ErrDecode, secret: "987654",
		},
		{
			name: "string into number", sealed: seal(`{"expiry":"hunter2"}`), aad: "a",
			into: &tokens{}, wantErr: ErrDecode, secret: "hunter2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.OpenJSON(tt.sealed, tt.aad, tt.into)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error: got %v, want %v", err, tt.wantErr)
			}
			if tt.secret != "" && strings.Contains(err.Error(), "'"+tt.secret) {
				t.Errorf("error %q quotes the value", err)
			}
			if tt.secret != "" && len(tt.secret) > 1 && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q shows %q", err, tt.secret)
			}
		})
	}
}
