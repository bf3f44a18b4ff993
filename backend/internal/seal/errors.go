package seal

import "errors"

var (
	// ErrInvalidKey reports key material that is not a usable AES-256
	// key: bad base64, the wrong length, or a missing key.
	ErrInvalidKey = errors.New("invalid key")

	// ErrUnknownKey reports a sealed value whose key id matches no key in
	// the keyring, typically because an old key was dropped too early.
	ErrUnknownKey = errors.New("unknown key")

	// ErrOpen reports a sealed value that failed authentication: the
	// wrong key, tampered data, or additional data from another record.
	ErrOpen = errors.New("message authentication failed")

	// ErrDecode reports a value that does not encode to JSON, or opened
	// JSON that does not decode into the destination. Its messages name
	// types, fields and offsets, never the value.
	ErrDecode = errors.New("invalid json value")
)
