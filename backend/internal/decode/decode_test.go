package decode

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

type inner struct {
	Count int `json:"count"`
}

type embedded struct {
	Token string `json:"token"`
}

type target struct {
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Inner inner             `json:"inner"`
	List  []inner           `json:"list"`
	Map   map[string]string `json:"map"`
	Ptr   *inner            `json:"ptr"`
	embedded
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		code  shared.Code // "" when the body is fine
		field string
	}{
		{name: "valid", body: `{"name": "a", "tags": ["x"], "inner": {"count": 2}, "token": "t"}`},
		{name: "valid with white space around", body: " \n{\"name\": \"a\"}\n "},
		{name: "null", body: `null`},
		{name: "empty", body: ``, code: shared.CodeInvalidJSON},
		{name: "only white space", body: " \n\t", code: shared.CodeInvalidJSON},
		{name: "syntax error", body: `{"name": }`, code: shared.CodeInvalidJSON},
		{name: "cut short", body: `{"name": "a"`, code: shared.CodeInvalidJSON},
		{name: "trailing comma", body: `{"name": "a",}`, code: shared.CodeInvalidJSON},
		{name: "two values", body: `{} {}`, code: shared.CodeInvalidJSON},
		{name: "trailing garbage", body: `{}x`, code: shared.CodeInvalidJSON},
		{name: "array instead of object", body: `[1]`, code: shared.CodeInvalidJSON},
		{name: "number instead of object", body: `5`, code: shared.CodeInvalidJSON},
		{name: "unknown field", body: `{"nmae": "a"}`, code: shared.CodeUnknownField, field: "nmae"},
		{name: "unknown nested field", body: `{"inner": {"cnt": 1}}`, code: shared.CodeUnknownField, field: "cnt"},
		{name: "name in other case", body: `{"Name": "a"}`, code: shared.CodeUnknownField, field: "Name"},
		{name: "nested name in other case", body: `{"inner": {"COUNT": 1}}`, code: shared.CodeUnknownField, field: "COUNT"},
		{name: "name in other case in a list", body: `{"list": [{"count": 1}, {"Count": 2}]}`, code: shared.CodeUnknownField, field: "Count"},
		{name: "embedded name in other case", body: `{"Token": "t"}`, code: shared.CodeUnknownField, field: "Token"},
		{name: "map keys keep their case", body: `{"map": {"Key": "v", "KEY": "w"}}`},
		{name: "exact names at every level", body: `{"list": [{"count": 1}], "ptr": {"count": 2}, "token": "t"}`},
		{name: "wrong type", body: `{"name": 5}`, code: shared.CodeValidation, field: "name"},
		{name: "wrong element type", body: `{"tags": [1]}`, code: shared.CodeValidation, field: "tags"},
		{name: "wrong nested type", body: `{"inner": {"count": "2"}}`, code: shared.CodeValidation, field: "inner.count"},
		{name: "wrong type in a list", body: `{"list": [{"count": true}]}`, code: shared.CodeValidation, field: "list.count"},
		{name: "wrong type behind a pointer", body: `{"ptr": {"count": []}}`, code: shared.CodeValidation, field: "ptr.count"},
		{name: "wrong map value", body: `{"map": {"k": 1}}`, code: shared.CodeValidation, field: "map"},
		{name: "wrong type in an embedded struct", body: `{"token": 1}`, code: shared.CodeValidation, field: "token"},
		{name: "number too large", body: `{"inner": {"count": 1e400}}`, code: shared.CodeValidation, field: "inner.count"},
		{name: "too deep", body: strings.Repeat("[", 20000), code: shared.CodeInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v target
			err := JSON([]byte(tt.body), &v)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("got %v (%T), want a *decode.Error", err, err)
			}
			if de.Code != tt.code || de.Field != tt.field {
				t.Errorf("got code %s field %q, want %s %q", de.Code, de.Field, tt.code, tt.field)
			}
			if de.Detail == "" {
				t.Errorf("got no detail, want a plain explanation")
			}
			if fe := de.Fields(); (tt.field != "") != (len(fe) == 1) {
				t.Errorf("got fields %v, want one exactly when a field is named", fe)
			}
		})
	}
}

func TestJSONKeepsSecretsOutOfMessages(t *testing.T) {
	const secret = "s3cr3t-value"
	bodies := []string{
		`{"name": ["` + secret + `"]}`,
		`{"inner": {"count": "` + secret + `"}}`,
		`{"` + secret + `": 1}`,
	}
	for _, body := range bodies {
		var v target
		err := JSON([]byte(body), &v)
		var de *Error
		if !errors.As(err, &de) {
			t.Fatalf("%s: got %v, want a *decode.Error", body, err)
		}
		if de.Field != secret && strings.Contains(de.Detail, secret) {
			t.Errorf("%s: got detail %q, want the value left out", body, de.Detail)
		}
	}
}

func TestJSONRefusesBadText(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"invalid UTF-8", "{\"name\":\"bad\xff\xfe\"}", false},
		{"lone high surrogate", `{"name":"\ud800"}`, false},
		{"lone low surrogate", `{"name":"x\udc00y"}`, false},
		{"high then not low", `{"name":"\ud800\u0041"}`, false},
		{"a real pair", `{"name":"\ud83d\ude00"}`, true},
		{"escaped backslash before u", `{"name":"\\ud800"}`, true},
		{"plain unicode", `{"name":"Zoë 日本"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				Name string `json:"name"`
			}
			err := JSON([]byte(tt.body), &v)
			if (err == nil) != tt.ok {
				t.Fatalf("got error %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
