package lifecycle

import (
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// FuzzReadTokenAnswer feeds arbitrary token endpoint bodies to the one
// reader of token answers, with the standard shape and a nested one. It
// must never panic, an error's words must never repeat the body's access
// token, and a lifetime it reads is never negative.
func FuzzReadTokenAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"access_token":"tok-AAAA","token_type":"bearer","expires_in":3600,"refresh_token":"r","scope":"a b"}`,
		`{"access_token":"tok-AAAA","expires_in":"3600"}`,
		`{"error":"invalid_grant","error_description":"expired"}`,
		`access_token=tok-AAAA&token_type=bearer&expires_in=60&scope=a%2Cb`,
		`{"ok":true,"authed_user":{"access_token":"tok-AAAA","scope":"x,y"}}`,
		`{"access_token":"tok-AAAA","expires_in":1e309}`,
		`{"access_token":"tok-AAAA","expires_in":-5,"scope":["a","b"]}`,
		`{"access_token":{"nested":1}}`,
		``, `{`, `=&=&`,
	} {
		f.Add([]byte(seed))
	}
	shapes := []*shared.TokenShape{
		nil,
		{AccessTokenPath: "authed_user.access_token", ScopePath: "authed_user.scope", Metadata: []string{"instance_url", "team.id"}},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, shape := range shapes {
			a, err := readTokenAnswer(body, shape, ",")
			if err != nil {
				if strings.Contains(err.Error(), "tok-AAAA") {
					t.Fatalf("error repeats the access token: %v", err)
				}
				if pe, ok := err.(*oauthError); ok && strings.Contains(pe.words(), "tok-AAAA") && !strings.Contains(string(body), `"error":"tok-AAAA`) {
					// The provider's own error text is shown as it sent it;
					// only a token outside the error fields may not leak.
					t.Fatalf("error words repeat the access token: %q", pe.words())
				}
				continue
			}
			if a.AccessToken == "" {
				t.Fatal("got no error and no access token")
			}
			if a.ExpiresIn < 0 {
				t.Fatalf("got negative lifetime %v", a.ExpiresIn)
			}
		}
	})
}
