package decode_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/decode"
	"github.com/plugboard/plugboard/shared"
)

// FuzzJSON feeds arbitrary bodies to the strict decoder with the types the
// API decodes. It must never panic, must fail only with *decode.Error, and
// its messages must never repeat a string value from the body, which may
// be a secret.
func FuzzJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"x","service_id":"github"}`,
		`{"name":5}`,
		`{"bogus":1}`,
		`{"name":"a"}{"name":"b"}`,
		`[1,2,3]`,
		`{"params":[{"name":"k","in":"header","secret":true}]}`,
		`{"client_secret":"sEcReT-value-123"}`,
		`{"config":{"a":"b"},"scopes":["x"]}`,
		`{"name":"x","name":"y"}`,
		`{"config":{"k":"a","k":"b"}}`,
		`[{"a":[{"b":1,"b":2}]}]`,
		``,
		`{`,
		"\x00\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{new(shared.ConnectionInput), new(shared.Service), new(shared.ConnectionPatch)}
		for _, v := range targets {
			err := decode.JSON(body, v)
			if err == nil {
				continue
			}
			var de *decode.Error
			if !errors.As(err, &de) {
				t.Fatalf("got error %T %v, want *decode.Error", err, err)
			}
			if strings.Contains(de.Detail, "sEcReT-value-123") {
				t.Fatalf("error repeats a value from the body: %q", de.Detail)
			}
		}
	})
}
