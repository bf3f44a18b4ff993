package decode

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/plugboard/plugboard/shared"
)

// object is an object being read by uniqueNames: the names seen so far,
// and whether a name or a value comes next.
type object struct {
	names   map[string]bool
	name    string // the name whose value is being read
	wantKey bool
}

// uniqueNames refuses an object, at any depth, that gives a name more
// than once. RFC 8259 section 4 leaves the meaning of such an object to
// each reader, and encoding/json keeps the last value, so what was
// checked and what is stored could differ (RFC 7493 section 2.3 forbids
// them). data is valid JSON; it is read token by token, without
// recursion, so depth costs no stack.
func uniqueNames(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*object // nil entries are arrays
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or an error decoding already reported
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.wantKey {
			name, ok := tok.(string)
			if !ok { // the object's closing brace
				stack = stack[:len(stack)-1]
				valueRead(stack)
				continue
			}
			if top.names[name] {
				return duplicate(stack, name)
			}
			top.names[name], top.name, top.wantKey = true, name, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{names: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, nil)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueRead(stack)
		default:
			valueRead(stack)
		}
	}
}

// valueRead notes that the value of the innermost object's current name
// has been read, so a name comes next.
func valueRead(stack []*object) {
	if len(stack) > 0 && stack[len(stack)-1] != nil {
		stack[len(stack)-1].wantKey = true
	}
}

// duplicate reports name given twice in the innermost object of stack.
// The field is named by its path, as for a value of the wrong type; the
// detail leaves the name out, since a map's names are the caller's.
func duplicate(stack []*object, name string) *Error {
	var path []string
	for _, o := range stack[:len(stack)-1] {
		if o != nil {
			path = append(path, o.name)
		}
	}
	return &Error{Code: shared.CodeInvalidJSON, Field: strings.Join(append(path, name), "."),
		Detail: "is given more than once in one object; give each name once"}
}
