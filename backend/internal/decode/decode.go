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
// only when case is ignored.
func JSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &Error{Code: shared.CodeInvalidJSON, Detail: "The request body is empty; a JSON object was expected."}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return explain(err, reflect.TypeOf(v))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &Error{Code: shared.CodeInvalidJSON, Detail: "The request body holds more than one JSON value."}
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
				Detail: fmt.Sprintf("The request body must be a JSON %s, not %s.", jsonKind(typ.Type.Kind().String()), typ.Value)}
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
