package seal

import (
	"encoding/json"
	"errors"
	"fmt"
)

// SealJSON encodes v as JSON and seals it with aad as additional data;
// see Seal.
func (r *Keyring) SealJSON(v any, aad string) (Sealed, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Sealed{}, jsonError("seal json", v, err)
	}
	defer clear(data)

	return r.Seal(data, []byte(aad))
}

// OpenJSON opens a value sealed by SealJSON with the same aad and decodes
// it into v, which must be a non-nil pointer.
func (r *Keyring) OpenJSON(s Sealed, aad string, v any) error {
	data, err := r.Open(s, []byte(aad))
	if err != nil {
		return err
	}
	defer clear(data)

	if err := json.Unmarshal(data, v); err != nil {
		return jsonError("open json", v, err)
	}
	return nil
}

// jsonError describes a failed encoding or decoding of v by Go types,
// field names and offsets alone. The errors of encoding/json can quote
// parts of the value (a number, a character) and a custom marshaler's
// error can say anything, so they are neither wrapped nor printed.
func jsonError(op string, v any, err error) error {
	var (
		invalid     *json.InvalidUnmarshalError
		unsupported *json.UnsupportedTypeError
		syntax      *json.SyntaxError
		mismatch    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &invalid), errors.As(err, &unsupported):
		// These errors name only a Go type.
		return fmt.Errorf("seal: %s: %v: %w", op, err, ErrDecode)
	case errors.As(err, &syntax):
		return fmt.Errorf("seal: %s: syntax error at offset %d: %w", op, syntax.Offset, ErrDecode)
	case errors.As(err, &mismatch):
		return fmt.Errorf("seal: %s: field %q does not fit %s: %w",
			op, mismatch.Field, mismatch.Type, ErrDecode)
	}
	return fmt.Errorf("seal: %s: value of type %T: %w", op, v, ErrDecode)
}
