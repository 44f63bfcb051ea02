package rpc

import (
	"errors"
	"fmt"
	"testing"
)

// TestWireTexts checks the texts a server answers with against the
// original's, and that a client's *Error of each text matches the
// sentinel it stands for.
func TestWireTexts(t *testing.T) {
	tests := []struct {
		err  error
		want string
		is   error
	}{
		{&NotExposedError{Method: "multiply"}, "action 'multiply' not exposed on API (Calc)", ErrNotExposed},
		{fmt.Errorf("wrapped: %w", &NotExposedError{Method: "x"}), "action 'x' not exposed on API (Calc)", ErrNotExposed},
		{ErrUnknownRoute, "Unknown call route", ErrUnknownRoute},
		{&WidgetNotFoundError{Name: "demo", ID: "$.a"}, "Widget instance not found on server (1)", ErrWidgetNotFound},
		{&WidgetNotFoundError{Name: "demo", ID: "$.a", Known: true}, "Widget instance not found on server (2)", ErrWidgetNotFound},
		{widgetPathError{0}, "not enough values to unpack (expected 3, got 0)", ErrWidgetPath},
		{widgetPathError{2}, "not enough values to unpack (expected 3, got 2)", ErrWidgetPath},
		{widgetPathError{4}, "too many values to unpack (expected 3)", ErrWidgetPath},
		{ErrAuth, "Authentication failed.", ErrAuth},
		{errors.New("boom"), "boom", nil},
	}
	for _, tt := range tests {
		if got := wireText(tt.err, "Calc"); got != tt.want {
			t.Errorf("wireText(%v) = %q, want %q", tt.err, got, tt.want)
		}
		if tt.is != nil && !errors.Is(tt.err, tt.is) {
			t.Errorf("errors.Is(%v, %v) = false on the server side", tt.err, tt.is)
		}
		remote := &Error{Method: "m", Message: tt.want}
		if got := remote.Unwrap(); tt.is == nil && len(got) != 0 || tt.is != nil && !errors.Is(remote, tt.is) {
			t.Errorf("(&Error{Message: %q}).Unwrap() = %v, want %v", tt.want, got, tt.is)
		}
	}
	// The original's engineer widget phrases its own; it is no rpc
	// sentinel, nor is a text that only resembles one.
	for _, text := range []string{"Engineer action not exposed: x", "unknown call route", "authentication failed"} {
		if got := (&Error{Message: text}).Unwrap(); len(got) != 0 {
			t.Errorf("(&Error{Message: %q}).Unwrap() = %v, want nothing", text, got)
		}
	}
}

func TestMethodName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Multiply", "multiply"},
		{"SetNumber", "set_number"},
		{"GetHTTPStatus", "get_http_status"},
		{"UserID", "user_id"},
		{"ID", "id"},
		{"MD5Sum", "md5_sum"},
		{"Poke", "poke"},
		{"EngineerListCommands", "engineer_list_commands"},
		{"X", "x"},
		{"ÜberAll", "über_all"},
	} {
		if got := MethodName(tt.in); got != tt.want {
			t.Errorf("MethodName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestErrorText checks that a remote error names its layer and method
// once.
func TestErrorText(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Method: "multiply", Message: `argument "a": cannot use the string "x" as int`}, `rpc: multiply: argument "a": cannot use the string "x" as int`},
		{Error{Method: "x", Message: "action 'x' not exposed on API (Server)"}, "rpc: action 'x' not exposed on API (Server)"},
		{Error{Method: "multiply", Message: "Server.multiply() missing 1 required positional argument: 'b'"}, "rpc: Server.multiply() missing 1 required positional argument: 'b'"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if got := wireText(ErrNoClient, "Server"); got != "no connection to that client" {
		t.Errorf("wireText(ErrNoClient) = %q, want it without the package's prefix", got)
	}
}
