package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/plugboard/plugboard/shared"
)

// exactNames refuses object keys that encoding/json matched to a field
// only by ignoring case ("Name" for "name"): the API's field names are
// exact, and a near miss is an unknown field like any other. data has
// already been decoded into a value of type t without error.
func exactNames(data []byte, t reflect.Type) error {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil
	}
	return walkNames(doc, t)
}

func walkNames(v any, t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		return walkObject(v, t)
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for _, e := range v {
			if err := walkNames(e, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

func walkObject(obj map[string]any, t reflect.Type) error {
	switch t.Kind() {
	case reflect.Map:
		for _, e := range obj {
			if err := walkNames(e, t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Struct:
		fields := jsonFields(t)
		for k, e := range obj {
			ft, ok := fields[k]
			if !ok {
				return &Error{Code: shared.CodeUnknownField, Field: k,
					Detail: fmt.Sprintf("%q is not a field of this request (names are case-sensitive)", k)}
			}
			if err := walkNames(e, ft); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of a struct's fields, those of embedded
// structs included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case !f.IsExported() && !f.Anonymous, tag == "-":
			continue
		case f.Anonymous && name == "" && indirect(f.Type).Kind() == reflect.Struct:
			// Its fields are promoted and listed on their own.
			continue
		case name == "":
			name = f.Name
		}
		if _, taken := out[name]; !taken {
			out[name] = f.Type
		}
	}
	return out
}

func indirect(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}
