package route

import (
	"errors"
	"slices"
	"testing"
)

func TestJoin(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"", ""}, ""},
		{[]string{"."}, ""},
		{[]string{"..", "..."}, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b", "c"}, "a.b.c"},
		{[]string{".a.", ".b", "c."}, "a.b.c"},
		{[]string{"a", "b", "", "c"}, "a.b.c"},
		{[]string{"a.b", "c.d"}, "a.b.c.d"},
		{[]string{"..a..", "b"}, "a.b"},
		{[]string{"a..b"}, "a.b"},
		{[]string{"", "a"}, "a"},
		{[]string{"straße", ".日本."}, "straße.日本"},
		{[]string{" a ", "b"}, " a .b"},
	}
	for _, tt := range tests {
		if got := Join(tt.parts...); got != tt.want {
			t.Errorf("Join(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		path   string
		reason string // "" if valid
	}{
		{"a", ""},
		{"a.b.c", ""},
		{"address.usa.ny", ""},
		{"日本.東京", ""},
		{"a b", ""},
		{"", "empty"},
		{".", "leading dot"},
		{".a", "leading dot"},
		{"a.", "trailing dot"},
		{"a..b", "empty segment"},
		{"a.b..", "trailing dot"},
	}
	for _, tt := range tests {
		err := Check(tt.path)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("Check(%q) = %v, want nil", tt.path, err)
			}
			continue
		}
		var pe *PathError
		if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
			t.Errorf("Check(%q) = %v, want a *PathError wrapping ErrInvalid", tt.path, err)
			continue
		}
		if pe.Path != tt.path || pe.Reason != tt.reason {
			t.Errorf("Check(%q) = {Path: %q, Reason: %q}, want {Path: %q, Reason: %q}",
				tt.path, pe.Path, pe.Reason, tt.path, tt.reason)
		}
	}
}

func TestPathErrorMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{Check("a..b"), `route: invalid path "a..b": empty segment`},
		{Check(""), `route: invalid path "": empty`},
		{&PathError{Path: "a.b", Err: ErrExists}, `route: duplicate path "a.b"`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestMatchTail(t *testing.T) {
	tests := []struct {
		prefix, path string
		match        bool
		tail         string
	}{
		{"a", "a.b.c", true, "b.c"},
		{"a.b", "a.b.c", true, "c"},
		{"a.b.c", "a.b.c", true, ""},
		{"a.c", "a.b.c", false, ""},
		{"a.b.d", "a.b.c", false, ""},
		{"b", "a.b.c", false, ""},
		{"part.1", "part.1.part.2.part.3", true, "part.2.part.3"},
		{"part.2", "part.1.part.2.part.3", false, ""},
		{"address", "addressbook", false, ""},
		{"address", "address", true, ""},
		{"a.b", "a.bc", false, ""},
		{"a.b.c", "a.b", false, ""},
		{"日本", "日本.東京", true, "東京"},
		// Literal segments: empty ones are compared like any other.
		{"a", "a.", true, ""},
		{"a", "a..b", true, ".b"},
		{"a.", "a..b", true, "b"},
		{"", "", true, ""},
		{"", ".a", true, "a"},
		{"", "a", false, ""},
		{"a", "", false, ""},
	}
	for _, tt := range tests {
		if got := Match(tt.prefix, tt.path); got != tt.match {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.prefix, tt.path, got, tt.match)
		}
		tail, ok := Tail(tt.prefix, tt.path)
		if tail != tt.tail || ok != tt.match {
			t.Errorf("Tail(%q, %q) = %q, %v, want %q, %v", tt.prefix, tt.path, tail, ok, tt.tail, tt.match)
		}
	}
}

func TestPrefixes(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"a.b.c", []string{"a", "a.b", "a.b.c"}},
		{"a", []string{"a"}},
		{"", []string{""}},
		{"a..b", []string{"a", "a.", "a..b"}},
		{".a", []string{"", ".a"}},
		{"日本.東京", []string{"日本", "日本.東京"}},
	}
	for _, tt := range tests {
		got := slices.Collect(Prefixes(tt.path))
		if !slices.Equal(got, tt.want) {
			t.Errorf("Prefixes(%q) = %q, want %q", tt.path, got, tt.want)
		}
		for _, p := range got {
			if !Match(p, tt.path) {
				t.Errorf("Prefixes(%q) yields %q, which does not Match it", tt.path, p)
			}
		}
	}
	// Stopping early.
	for p := range Prefixes("a.b.c") {
		if p != "a" {
			t.Errorf("Prefixes(%q) went on after break: %q", "a.b.c", p)
		}
		break
	}
}
