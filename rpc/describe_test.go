package rpc

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// TestDescribe checks what MethodDescribe answers over the wire, for the
// whole server and for one method.
func TestDescribe(t *testing.T) {
	ctx := testCtx(t)
	_, c := pair(t, "rep", nil, nil, func(s *Server) {
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.Register("multiply", func(a, b int) int { return a * b }, "a", "b"))
		must(s.Document("multiply", "Multiply A with B"))
		must(s.Register("join", func(ctx context.Context, sep string, parts ...string) (string, error) { return "", nil }))
		must(s.Register("opts", func(name string, kw Kwargs) map[string]any { return nil }, "name"))
	})
	got, err := c.Methods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Method{
		{Name: "join", Params: []Param{{Type: "string"}, {Type: "string", Variadic: true}}, Results: []string{"string"}},
		{Name: "multiply", Params: []Param{{Name: "a", Type: "int"}, {Name: "b", Type: "int"}}, Results: []string{"int"}, Doc: "Multiply A with B"},
		{Name: "opts", Params: []Param{{Name: "name", Type: "string"}}, Kwargs: true, Results: []string{"map[string]any"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Methods =\n%+v\nwant\n%+v", got, want)
	}
	one, err := c.Describe(ctx, "multiply")
	if err != nil || one.Name != "multiply" || one.Doc != "Multiply A with B" {
		t.Errorf("Describe(multiply) = %+v, %v", one, err)
	}
	if _, err := c.Describe(ctx, "nothing"); !errors.Is(err, ErrNotExposed) {
		t.Errorf("Describe(nothing) = %v, want ErrNotExposed", err)
	}
	s := mustServer(t, nil)
	for _, name := range []string{MethodDescribe, MethodClientID} {
		if err := s.Register(name, func() {}); err == nil {
			t.Errorf("Register(%q) = nil, want an error", name)
		}
	}
	if err := s.Document("nothing", "x"); err == nil {
		t.Error("Document of a name not registered = nil, want an error")
	}
}
