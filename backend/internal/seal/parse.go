package seal

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ParseKeys reads the PLUGBOARD_SECRET_KEY setting: one or more
// base64-encoded 32-byte keys separated by commas. Standard and URL-safe
// alphabets are accepted, with or without padding, and spaces around an
// entry are ignored. The first key is the primary, which seals; the
// others are old keys that still open values sealed before a rotation.
//
// Errors name a bad entry by its position, never by its value.
func ParseKeys(s string) ([]Key, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("seal: parse keys: no key given: %w", ErrInvalidKey)
	}

	entries := strings.Split(s, ",")
	keys := make([]Key, 0, len(entries))
	seen := make(map[string]int, len(entries))
	for i, e := range entries {
		pos := i + 1
		k, err := decodeKey(e)
		if err != nil {
			return nil, fmt.Errorf("seal: parse keys: entry %d of %d: %w", pos, len(entries), err)
		}
		if first, ok := seen[k.ID]; ok {
			return nil, fmt.Errorf("seal: parse keys: entry %d repeats entry %d: %w",
				pos, first, ErrInvalidKey)
		}
		seen[k.ID] = pos
		keys = append(keys, k)
	}
	return keys, nil
}

// decodeKey decodes one base64 key in any of the accepted forms. Its
// errors never contain the text it was given.
func decodeKey(s string) (Key, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if s == "" {
		return Key{}, fmt.Errorf("empty: %w", ErrInvalidKey)
	}

	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	raw, err := enc.DecodeString(s)
	var bad base64.CorruptInputError
	if errors.As(err, &bad) {
		// Only the offset is reported: the text itself must not appear.
		return Key{}, fmt.Errorf("not valid base64 at character %d: %w",
			int64(bad)+1, ErrInvalidKey)
	}
	if err != nil {
		return Key{}, fmt.Errorf("not valid base64: %w", ErrInvalidKey)
	}
	return newKey(raw)
}
