package decode

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestJSONRefusesDuplicateNames checks that a name given twice in one
// object is refused at any depth, naming the field by its path, while
// the same name in different objects is fine.
func TestJSONRefusesDuplicateNames(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		field string // "" when the body is fine
	}{
		{name: "top level", body: `{"name":"x","name":"y"}`, field: "name"},
		{name: "same value twice", body: `{"name":"x","tags":[],"name":"x"}`, field: "name"},
		{name: "nested object", body: `{"inner":{"count":1,"count":2}}`, field: "inner.count"},
		{name: "object in a list", body: `{"list":[{"count":1},{"count":1,"count":2}]}`, field: "list.count"},
		{name: "behind a pointer", body: `{"ptr":{"count":1,"count":2}}`, field: "ptr.count"},
		{name: "map keys", body: `{"map":{"k":"a","k":"b"}}`, field: "map.k"},
		{name: "embedded field", body: `{"token":"a","token":"b"}`, field: "token"},
		{name: "escaped the same", body: `{"name":"x","n\u0061me":"y"}`, field: "name"},
		{name: "objects after each other", body: `{"inner":{"count":1},"ptr":{"count":2}}`},
		{name: "list of objects", body: `{"list":[{"count":1},{"count":2}]}`},
		{name: "map keys in other case", body: `{"map":{"k":"a","K":"b"}}`},
		{name: "name as a value", body: `{"name":"name","tags":["name","name"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v target
			err := JSON([]byte(tt.body), &v)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *decode.Error", err)
			}
			if de.Code != shared.CodeInvalidJSON || de.Field != tt.field || len(de.Fields()) != 1 {
				t.Errorf("got code %s field %q, want %s %q", de.Code, de.Field, shared.CodeInvalidJSON, tt.field)
			}
		})
	}
}

// TestUniqueNamesDeep checks that deep nesting is read without recursion
// and still finds a name given twice at the bottom.
func TestUniqueNamesDeep(t *testing.T) {
	const depth = 100000
	body := strings.Repeat(`[{"a":`, depth) + `{"b":1,"b":2}` + strings.Repeat(`}]`, depth)
	err := uniqueNames([]byte(body))
	var de *Error
	if !errors.As(err, &de) || !strings.HasSuffix(de.Field, "a.b") {
		t.Fatalf("got %v, want the duplicate b named", err)
	}
}
