package rpc

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/wire"
)

// Order, Line and Receipt are the types of a service with struct
// parameters and results.
type Order struct {
	ID    string
	Lines []Line
	Rush  bool `xbahn:"rush"`
	Note  *string
}

type Line struct {
	SKU string
	Qty int
}

type Receipt struct {
	Order string
	Items int
	Rush  bool
}

func placeOrder(ctx context.Context, o Order) (Receipt, error) {
	if len(o.Lines) == 0 {
		return Receipt{}, WithCode(CodeInvalidArgument, errors.New("an order needs lines"))
	}
	n := 0
	for _, l := range o.Lines {
		n += l.Qty
	}
	return Receipt{Order: o.ID, Items: n, Rush: o.Rush}, nil
}

// encodedBody encodes a call with args and kwargs as a peer would send it,
// in encoding e, and returns its body as a server receives it.
func encodedBody(t *testing.T, e wire.Encoding, args []any, kwargs map[string]any) *wire.Body {
	t.Helper()
	m := &wire.Message{ID: "x", Path: "comm.call", Data: "f", Args: args, Kwargs: kwargs}
	var b []byte
	var err error
	if e == wire.Binary {
		b, err = m.AppendBinary(nil)
	} else {
		b, err = m.AppendJSON(nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	var body wire.Body
	if err := (wire.Limits{}).DecodeHead(b, new(wire.Message), &body); err != nil {
		t.Fatal(err)
	}
	return &body
}

// TestEncodedArgumentsConvertAlike checks that arguments decoded straight
// into the parameters' types bind as the decoded ones do through Convert:
// the same result, or the same error text.
func TestEncodedArgumentsConvertAlike(t *testing.T) {
	fns := map[string]any{
		"int8":    func(x int8) int8 { return x },
		"uint":    func(x uint) uint { return x },
		"float32": func(x float32) float32 { return x },
		"string":  func(s string) string { return s },
		"bytes":   func(b []byte) []byte { return b },
		"slice":   func(xs []int) []int { return xs },
		"array":   func(xs [2]int) [2]int { return xs },
		"map":     func(m map[string]float64) map[string]float64 { return m },
		"pointer": func(p *int) int {
			if p == nil {
				return -1
			}
			return *p
		},
		"any":      func(v any) any { return v },
		"order":    placeOrder,
		"variadic": func(prefix string, xs ...int) string { return prefix + strings.Repeat("x", len(xs)) },
		"kwargs":   func(a int, kw Kwargs) any { return []any{a, kw} },
		"two":      func(a, b int) int { return a - b },
	}
	names := map[string][]string{"two": {"a", "b"}, "kwargs": {"a"}}
	calls := []struct {
		fn     string
		args   []any
		kwargs map[string]any
	}{
		{"int8", []any{127}, nil}, {"int8", []any{128}, nil}, {"int8", []any{-3.0}, nil}, {"int8", []any{2.5}, nil},
		{"uint", []any{-1}, nil}, {"uint", []any{uint64(math.MaxUint64)}, nil}, {"uint", []any{"7"}, nil},
		{"float32", []any{1.5}, nil}, {"float32", []any{3}, nil}, {"float32", []any{true}, nil},
		{"string", []any{"héllo"}, nil}, {"string", []any{[]byte("raw")}, nil}, {"string", []any{nil}, nil}, {"string", []any{[]any{}}, nil},
		{"bytes", []any{"ab"}, nil}, {"bytes", []any{[]any{1, 2}}, nil}, {"bytes", []any{[]any{256}}, nil},
		{"slice", []any{[]any{1, 2, 3}}, nil}, {"slice", []any{[]any{}}, nil}, {"slice", []any{[]any{1, "x"}}, nil}, {"slice", []any{map[string]any{}}, nil},
		{"array", []any{[]any{1, 2}}, nil}, {"array", []any{[]any{1, 2, 3}}, nil},
		{"map", []any{map[string]any{"a": 1, "b": 2.5}}, nil}, {"map", []any{map[string]any{"a": "x"}}, nil},
		{"pointer", []any{nil}, nil}, {"pointer", []any{5}, nil},
		{"any", []any{map[string]any{"k": []any{1, "two", nil}}}, nil},
		{"order", []any{map[string]any{"id": "A1", "lines": []any{map[string]any{"sku": "x", "qty": 2}}, "RUSH": true}}, nil},
		{"order", []any{map[string]any{"ID": "A1", "Color": "red"}}, nil},
		{"order", []any{map[string]any{"ID": "A1", "Lines": []any{map[string]any{"Qty": "two"}}}}, nil},
		{"order", []any{map[string]any{"ID": "A1"}}, nil},
		{"order", []any{"A1"}, nil},
		{"variadic", []any{"p", 1, 2, 3}, nil}, {"variadic", []any{"p", 1, "2"}, nil},
		{"kwargs", []any{1}, map[string]any{"x": []any{1}, "y": "z"}}, {"kwargs", nil, map[string]any{"a": 4}},
		{"two", []any{5, 3}, nil}, {"two", nil, map[string]any{"b": 3, "a": 5}}, {"two", []any{5}, map[string]any{"a": 5}},
		{"two", []any{5}, nil}, {"two", []any{5, 3, 1}, nil}, {"two", []any{5}, map[string]any{"c": 1}},
	}
	for _, c := range calls {
		f, err := newFunction(c.fn, reflect.ValueOf(fns[c.fn]), names[c.fn])
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []wire.Encoding{wire.Binary, wire.JSON} {
			body := encodedBody(t, e, c.args, c.kwargs)
			var m wire.Message
			if err := body.Fill(&m, wire.Limits{}); err != nil {
				t.Fatal(err)
			}
			want, wantErr := f.call(context.Background(), m.Args, m.Kwargs)
			got, gotErr := f.callEncoded(context.Background(), body)
			if errText(gotErr) != errText(wantErr) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s%v %v, %v: encoded gives %#v, %v; decoded gives %#v, %v", c.fn, c.args, c.kwargs, e, got, gotErr, want, wantErr)
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestStructCalls calls a function with a struct parameter and result
// over each encoding, with CallAs decoding the result straight into the
// result type, and checks that other handlers of the call path still see
// the call's arguments decoded.
func TestStructCalls(t *testing.T) {
	for _, enc := range []string{"binary", "json"} {
		t.Run(enc, func(t *testing.T) {
			conn := mustListen(t, "zmq://127.0.0.1:0/router?encoding="+enc, nil)
			s := mustServer(t, nil)
			if err := s.Register("place_order", placeOrder); err != nil {
				t.Fatal(err)
			}
			l := xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn})
			seen := make(chan []any, 4)
			if _, err := l.OnPath("comm", func(m *xbahn.Message, w *xbahn.Wire) error {
				if m.Data == "place_order" {
					seen <- m.Args
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			mustServe(t, s, l)
			cconn := mustConnect(t, "zmq://"+strings.TrimPrefix(conn.Endpoint(), "tcp://")+"/dealer?encoding="+enc, nil)
			c, err := NewClient(testCtx(t), xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main(), nil)
			if err != nil {
				t.Fatal(err)
			}
			order := map[string]any{"ID": "A-7", "Lines": []any{map[string]any{"SKU": "pen", "Qty": 3}, map[string]any{"sku": "ink", "qty": 2}}, "rush": true}
			got, err := CallAs[Receipt](testCtx(t), c, "place_order", order)
			if want := (Receipt{Order: "A-7", Items: 5, Rush: true}); err != nil || got != want {
				t.Fatalf("place_order: got %+v, %v, want %+v", got, err, want)
			}
			if args := <-seen; len(args) != 1 || !reflect.DeepEqual(args[0].(map[string]any)["ID"], "A-7") {
				t.Errorf("another handler of the call saw args %#v, want the order decoded", args)
			}

			// A value that does not fit a field, and an error of the
			// function, come back as errors.
			_, err = CallAs[Receipt](testCtx(t), c, "place_order", map[string]any{"ID": "A-8", "Lines": []any{map[string]any{"Qty": "two"}}})
			if want := `argument 1: field Lines: element 0: field Qty: cannot use the string "two" as int`; err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("a string for an int field: got %v, want an invalid argument error with %q", err, want)
			}
			_, err = CallAs[Receipt](testCtx(t), c, "place_order", map[string]any{"ID": "A-9"})
			if err == nil || !strings.Contains(err.Error(), "an order needs lines") {
				t.Errorf("an order without lines: got %v, want the function's error", err)
			}
			// A result that does not fit T is an error of the call.
			_, err = CallAs[int](testCtx(t), c, "place_order", order)
			if want := "result: cannot use a map as int"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("CallAs[int] of a map result: got %v, want an error with %q", err, want)
			}
		})
	}
}
