// Package decode reads JSON request bodies strictly and explains what is
// wrong with them in terms a person can fix: which field, and why.
package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/plugboard/plugboard/shared"
)

// Error is a body that could not be decoded. Code is CodeInvalidJSON,
// CodeUnknownField or CodeValidation (a value of the wrong type).
type Error struct {
	Code   shared.Code
	Field  string
	Detail string
}

func (e *Error) Error() string { return e.Detail }

// Fields returns the error as a field list, when it is about one field.
func (e *Error) Fields() shared.FieldErrors {
	if e.Field == "" {
		return nil
	}
	return shared.FieldErrors{{Field: e.Field, Message: e.Detail}}
}

// JSON decodes data, which must hold exactly one JSON value, into v.
// Unknown object fields are refused, and so are names that match a field
// only when case is ignored, and objects that give a name twice.
func JSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &Error{Code: shared.CodeInvalidJSON, Detail: "The request body is empty; a JSON object was expected."}
	}
	// encoding/json would quietly store U+FFFD for invalid text; refuse
	// it instead, so that what is stored is what was sent.
	if !utf8.Valid(data) {
		return &Error{Code: shared.CodeInvalidJSON, Detail: "The request body is not valid UTF-8 text."}
	}
	if loneSurrogate(data) {
		return &Error{Code: shared.CodeInvalidJSON,
			Detail: "The request body holds a \\u escape of half a UTF-16 surrogate pair, which is not a character."}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return explain(err, reflect.TypeOf(v))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &Error{Code: shared.CodeInvalidJSON, Detail: "The request body holds more than one JSON value."}
	}
	if err := uniqueNames(data); err != nil {
		return err
	}
	return exactNames(data, reflect.TypeOf(v))
}

func explain(err error, target reflect.Type) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &Error{Code: shared.CodeInvalidJSON,
			Detail: fmt.Sprintf("The request body is not valid JSON (at byte %d).", syn.Offset)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Code: shared.CodeInvalidJSON, Detail: "The request body is not valid JSON: it ends too early."}
	case errors.As(err, &typ):
		field := jsonPath(target, typ.Field)
		if field == "" {
			return &Error{Code: shared.CodeInvalidJSON,
				Detail: fmt.Sprintf("The request body must be %s, not %s.", jsonKind(typ.Type.Kind().String()), typ.Value)}
		}
		return &Error{Code: shared.CodeValidation, Field: field,
			Detail: fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json reports unknown fields only in this form.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Error{Code: shared.CodeUnknownField, Field: name,
			Detail: fmt.Sprintf("%q is not a field of this request", name)}
	}
	return &Error{Code: shared.CodeInvalidJSON, Detail: "The request body is not valid JSON."}
}

// jsonPath rewrites the path encoding/json gives to a mistyped value,
// which names embedded structs by their Go type ("OAuth2.client_id"), as
// the author of the JSON sees it ("client_id").
func jsonPath(t reflect.Type, path string) string {
	if path == "" {
		return ""
	}
	var out []string
	for _, seg := range strings.Split(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice ||
			t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(seg); ok && f.Anonymous && f.Tag.Get("json") == "" {
				t = f.Type
				continue
			}
			t = jsonField(t, seg)
		} else {
			t = nil
		}
		out = append(out, seg)
	}
	return strings.Join(out, ".")
}

// jsonField returns the type of the struct field that JSON calls name,
// or nil.
func jsonField(t reflect.Type, name string) reflect.Type {
	for _, f := range reflect.VisibleFields(t) {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || tag == "" && f.Name == name {
			return f.Type
		}
	}
	return nil
}

// loneSurrogate reports whether data holds a \uD800-\uDFFF escape that is
// not part of a high-low pair (RFC 8259 section 8.2 leaves its meaning
// undefined).
func loneSurrogate(data []byte) bool {
	for i := 0; i+6 <= len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		r := hex4(data[i+2 : i+6])
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if i+12 > len(data) || data[i+6] != '\\' || data[i+7] != 'u' {
				return true
			}
			if lo := hex4(data[i+8 : i+12]); lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

// hex4 reads four hexadecimal digits; -1 when they are not.
func hex4(b []byte) int {
	n := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			n = n*16 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n*16 + int(c-'A'+10)
		default:
			return -1
		}
	}
	return n
}

// jsonKind names a Go kind the way a JSON author would.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "ptr", "interface":
		return "a value"
	}
	return "a number"
}
