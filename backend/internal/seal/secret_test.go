package seal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// login holds a Secret the way configuration and requests do.
type login struct {
	User     string
	Password Secret `json:"password"`
}

// extraArg is a format with fewer verbs than arguments, a variable so that
// go vet allows the mistake under test.
var extraArg = "%s"

func TestSecretHidden(t *testing.T) {
	const value = "hunter2-correct-horse"
	s := Secret(value)
	l := login{User: "ada", Password: s}

	var jsonLog, textLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("login",
		"password", s, "login", l, slog.Any("ptr", &l))
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("login",
		"password", s, "login", l)
	marshaled, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}

	outputs := map[string]string{
		"%v":           fmt.Sprintf("%v", s),
		"%s":           fmt.Sprintf("%s", s),
		"%q":           fmt.Sprintf("%q", s),
		"%+v":          fmt.Sprintf("%+v", s),
		"%#v":          fmt.Sprintf("%#v", s),
		"%x":           fmt.Sprintf("%x", s),
		"%10.3s":       fmt.Sprintf("%10.3s", s),
		"Sprint":       fmt.Sprint(s),
		"Sprintln":     fmt.Sprintln(s, &s),
		"struct %v":    fmt.Sprintf("%v", l),
		"struct %+v":   fmt.Sprintf("%+v", l),
		"struct %#v":   fmt.Sprintf("%#v", l),
		"pointer %+v":  fmt.Sprintf("%+v", &l),
		"extra arg":    fmt.Sprintf(extraArg, "x", s),
		"error %w":     fmt.Errorf("login %v: %w", s, fmt.Errorf("%s", s)).Error(),
		"slog json":    jsonLog.String(),
		"slog text":    textLog.String(),
		"json.Marshal": string(marshaled),
	}
	for name, got := range outputs {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(got, value) || strings.Contains(got, value[:3]) {
				t.Errorf("got %q, which shows the secret", got)
			}
			if !strings.Contains(got, "[redacted]") {
				t.Errorf("got %q, want it to contain [redacted]", got)
			}
		})
	}
}

func TestSecretJSON(t *testing.T) {
	got, err := json.Marshal(login{User: "ada", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"User":"ada","password":"[redacted]"}`; string(got) != want {
		t.Errorf("json.Marshal: got %s, want %s", got, want)
	}

	var l login
	if err := json.Unmarshal([]byte(`{"password":"pw"}`), &l); err != nil {
		t.Fatal(err)
	}
	if got := l.Password.Reveal(); got != "pw" {
		t.Errorf("decoded Reveal: got %q, want %q", got, "pw")
	}
}

func TestSecretReveal(t *testing.T) {
	tests := []struct {
		name   string
		secret Secret
		want   string
	}{
		{name: "value", secret: "s3cr3t", want: "s3cr3t"},
		{name: "empty", secret: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.secret.Reveal(); got != tt.want {
				t.Errorf("Reveal: got %q, want %q", got, tt.want)
			}
		})
	}
}
