package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// rawKey returns KeySize bytes that start at first and count up, so that
// each test key is distinct and easy to spot in output.
func rawKey(first byte) []byte {
	b := make([]byte, KeySize)
	for i := range b {
		b[i] = first + byte(i)
	}
	return b
}

// testKey returns the key made by rawKey(first).
func testKey(t testing.TB, first byte) Key {
	t.Helper()
	k, err := NewKey(rawKey(first))
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}
	return k
}

// sprintfAll formats arg with each verb in turn and joins the results.
// The verbs are not constant, so that go vet lets tests try verbs that do
// not fit the argument.
func sprintfAll(verbs []string, arg any) string {
	var out []string
	for _, v := range verbs {
		out = append(out, fmt.Sprintf(v, arg))
	}
	return strings.Join(out, " ")
}

// keyForms returns the ways key bytes could show up in printed text.
func keyForms(raw []byte) []string {
	return []string{
		hex.EncodeToString(raw),
		base64.StdEncoding.EncodeToString(raw),
		base64.RawURLEncoding.EncodeToString(raw),
		fmt.Sprint(raw),
		fmt.Sprintf("%#v", raw)[len("[]byte"):],
		fmt.Sprintf("%q", raw),
	}
}

func TestNewKey(t *testing.T) {
	tests := []struct {
		name    string
		raw     []byte
		wantErr error
	}{
		{name: "32 bytes", raw: rawKey(1)},
		{name: "empty", raw: nil, wantErr: ErrInvalidKey},
		{name: "16 bytes", raw: rawKey(1)[:16], wantErr: ErrInvalidKey},
		{name: "33 bytes", raw: append(rawKey(1), 0), wantErr: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := NewKey(tt.raw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("NewKey error: got %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(k.ID) != 16 {
				t.Errorf("ID length: got %d, want 16", len(k.ID))
			}
			if !bytes.Equal(k.bytes[:], tt.raw) {
				t.Errorf("key bytes differ from the input")
			}
		})
	}
}

func TestNewKeyCopiesInput(t *testing.T) {
	raw := rawKey(1)
	k, err := NewKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	raw[0] ^= 0xff
	if got, want := k.bytes[0], byte(1); got != want {
		t.Errorf("first key byte after changing the input: got %d, want %d", got, want)
	}
}

func TestKeyID(t *testing.T) {
	a1, a2, b := testKey(t, 1), testKey(t, 1), testKey(t, 2)
	if a1.ID != a2.ID {
		t.Errorf("same key: got ids %q and %q, want equal", a1.ID, a2.ID)
	}
	if a1.ID == b.ID {
		t.Errorf("different keys: got the same id %q", a1.ID)
	}
	if strings.Contains(hex.EncodeToString(a1.bytes[:]), a1.ID) {
		t.Errorf("id %q is part of the key", a1.ID)
	}
}

func TestKeyPrinting(t *testing.T) {
	k := testKey(t, 0x41)
	type holder struct {
		Exported Key
		hidden   Key
	}
	h := holder{Exported: k, hidden: k}

	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	logger.Info("key", "key", k, "holder", h)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "key", k)

	outputs := map[string]string{
		"%v":       fmt.Sprintf("%v", k),
		"%s":       fmt.Sprintf("%s", k),
		"%q":       fmt.Sprintf("%q", k),
		"%x":       fmt.Sprintf("%x", k),
		"%+v":      fmt.Sprintf("%+v", k),
		"%#v":      fmt.Sprintf("%#v", k),
		"%d":       fmt.Sprintf("%d", k),
		"Sprint":   fmt.Sprint(k),
		"String":   k.String(),
		"GoString": k.GoString(),
		"holder":   sprintfAll([]string{"%v", "%+v", "%#v", "%x", "%p"}, h),
		"pointer":  fmt.Sprintf("%v %+v", &k, &h),
		"slog":     logged.String(),
	}
	for name, got := range outputs {
		t.Run(name, func(t *testing.T) {
			for _, form := range keyForms(k.bytes[:]) {
				if strings.Contains(got, form) {
					t.Errorf("got %q, which shows the key as %q", got, form)
				}
			}
		})
	}
	if got, want := k.String(), "seal.Key("+k.ID+")"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	if !strings.Contains(logged.String(), `"key":{"id":"`+k.ID+`"}`) {
		t.Errorf("slog JSON: got %s, want the key logged by id", logged.String())
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := rawKey(1), rawKey(0xf0)
	std := base64.StdEncoding.EncodeToString
	rawURL := base64.RawURLEncoding.EncodeToString
	short := std(rawKey(1)[:16])

	tests := []struct {
		name    string
		in      string
		wantIDs []string
		wantErr error
		wantMsg string
	}{
		{name: "one std padded", in: std(k1), wantIDs: ids(t, k1)},
		{name: "one std raw", in: base64.RawStdEncoding.EncodeToString(k2), wantIDs: ids(t, k2)},
		{name: "one url padded", in: base64.URLEncoding.EncodeToString(k2), wantIDs: ids(t, k2)},
		{name: "one url raw", in: rawURL(k2), wantIDs: ids(t, k2)},
		{name: "primary then old", in: std(k1) + "," + rawURL(k2), wantIDs: ids(t, k1, k2)},
		{
			name: "spaces and newline", in: " " + std(k2) + " ,\t" + std(k1) + "\n",
			wantIDs: ids(t, k2, k1),
		},
		{name: "empty", in: "", wantErr: ErrInvalidKey, wantMsg: "no key given"},
		{name: "blank", in: "  ", wantErr: ErrInvalidKey, wantMsg: "no key given"},
		{
			name: "wrong length", in: short,
			wantErr: ErrInvalidKey, wantMsg: "entry 1 of 1: got 16 bytes",
		},
		{
			name: "bad base64", in: std(k1) + "," + "not*base64" + std(k2)[10:],
			wantErr: ErrInvalidKey, wantMsg: "entry 2 of 2: not valid base64 at character 4",
		},
		{
			name: "mixed alphabets", in: "+-" + std(k1)[2:],
			wantErr: ErrInvalidKey, wantMsg: "entry 1 of 1: not valid base64",
		},
		{
			name: "empty entry", in: std(k1) + ",," + std(k2),
			wantErr: ErrInvalidKey, wantMsg: "entry 2 of 3: empty",
		},
		{
			name: "trailing comma", in: std(k1) + ",",
			wantErr: ErrInvalidKey, wantMsg: "entry 2 of 2: empty",
		},
		{
			name: "repeated key", in: std(k1) + "," + std(k2) + "," + rawURL(k1),
			wantErr: ErrInvalidKey, wantMsg: "entry 3 repeats entry 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseKeys(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error: got %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				checkErrHidesInput(t, err, tt.in)
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error: got %q, want it to contain %q", err, tt.wantMsg)
				}
				return
			}
			var gotIDs []string
			for _, k := range keys {
				gotIDs = append(gotIDs, k.ID)
			}
			if got, want := strings.Join(gotIDs, ","), strings.Join(tt.wantIDs, ","); got != want {
				t.Errorf("ids: got %s, want %s", got, want)
			}
		})
	}
}

// ids returns the ids of the keys made of each raw.
func ids(t *testing.T, raws ...[]byte) []string {
	t.Helper()
	var out []string
	for _, raw := range raws {
		k, err := NewKey(raw)
		if err != nil {
			t.Fatalf("NewKey: %v", err)
		}
		out = append(out, k.ID)
	}
	return out
}

// checkErrHidesInput fails when err shows any comma-separated entry of
// in, or any 8-character run of one.
func checkErrHidesInput(t *testing.T, err error, in string) {
	t.Helper()
	msg := err.Error()
	for _, e := range strings.Split(in, ",") {
		e = strings.TrimSpace(e)
		for i := 0; i+8 <= len(e); i++ {
			if strings.Contains(msg, e[i:i+8]) {
				t.Errorf("error %q shows part of the input %q", msg, e[i:i+8])
				return
			}
		}
	}
}
