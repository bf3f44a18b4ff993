package lifecycle

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/store"
)

// TestSameBrowser checks which bindings finish a flow.
func TestSameBrowser(t *testing.T) {
	bound := store.AuthState{Binding: hashString("right")}
	tests := []struct {
		name    string
		st      store.AuthState
		binding string
		want    bool
	}{
		{"bound, same value", bound, "right", true},
		{"bound, no value", bound, "", false},
		{"bound, other value", bound, "wrong", false},
		{"bound, the hash itself", bound, hashString("right"), false},
		{"not bound, no value", store.AuthState{}, "", true},
		{"not bound, any value", store.AuthState{}, "whatever", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameBrowser(tt.st, tt.binding); got != tt.want {
				t.Errorf("sameBrowser() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBindingRedacted checks that a binding's secret cannot be printed.
func TestBindingRedacted(t *testing.T) {
	b := Binding{Name: "n", Value: "binding-secret-value"}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "binding", b, "ptr", &b)
	printed := fmt.Sprintf("%v %+v %#v %s %q", b, b, b, b, b) + fmt.Sprint(&b) + logged.String()
	if strings.Contains(printed, b.Value) {
		t.Errorf("got %q, want the value left out", printed)
	}
}
