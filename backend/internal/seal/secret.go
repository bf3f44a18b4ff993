package seal

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted replaces a Secret wherever it is printed, logged or encoded.
const redacted = "[redacted]"

// Secret is a secret held in memory, such as an opened token or a
// password. Printing it with fmt, logging it with slog, or encoding it as
// JSON or text shows "[redacted]"; only Reveal returns the value.
//
// fmt cannot call methods on a value it reaches through an unexported
// struct field, nor for a verb that does not fit a string, such as %p.
// In those cases it prints the raw string, so keep Secrets in exported
// fields and let go vet check format verbs. Decoding JSON into a Secret
// reads the real value.
type Secret string

// Compile-time checks that a Secret cannot be printed or logged.
var (
	_ fmt.Stringer   = Secret("")
	_ fmt.GoStringer = Secret("")
	_ fmt.Formatter  = Secret("")
	_ slog.LogValuer = Secret("")
)

// Reveal returns the secret value.
func (s Secret) Reveal() string {
	return string(s)
}

// String returns "[redacted]".
func (Secret) String() string {
	return redacted
}

// GoString returns "[redacted]", so that %#v hides the value too.
func (Secret) GoString() string {
	return redacted
}

// Format writes "[redacted]" for every verb.
func (Secret) Format(f fmt.State, _ rune) {
	io.WriteString(f, redacted)
}

// LogValue returns "[redacted]" as a string value.
func (Secret) LogValue() slog.Value {
	return slog.StringValue(redacted)
}

// MarshalJSON encodes the secret as the JSON string "[redacted]".
func (Secret) MarshalJSON() ([]byte, error) {
	return []byte(`"` + redacted + `"`), nil
}

// MarshalText returns "[redacted]", for encoders that use text.
func (Secret) MarshalText() ([]byte, error) {
	return []byte(redacted), nil
}
