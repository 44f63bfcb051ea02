package wire_test

import (
	"fmt"
	"log"

	"github.com/xbahn-go/xbahn/wire"
)

// A call is encoded into a reused buffer and decoded on the other side.
func Example() {
	call := &wire.Message{
		ID:   "51e532df-c59c-4087-a6bb-9c37944f8298",
		Path: "comm.call",
		Meta: map[string]any{"client": "$"},
		Data: "multiply",
		Args: []any{7, 6},
	}
	buf, err := call.AppendBinary(make([]byte, 0, 512))
	if err != nil {
		log.Fatal(err)
	}

	var got wire.Message
	if err := wire.Decode(buf, &got); err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Path, got.Meta["client"], got.Data, got.Args)
	fmt.Printf("%T\n", got.Args[0])
	// Output:
	// comm.call $ multiply [7 6]
	// int64
}

// AppendJSON writes what the original Python xbahn writes, so its peers
// read it as one of their own.
func ExampleMessage_AppendJSON() {
	reply := &wire.Message{
		ID:         "56970f44-285e-4c9d-96ec-fbd2b6bec209",
		Path:       "xbahn.response.51e532df-c59c-4087-a6bb-9c37944f8298",
		ResponseID: "51e532df-c59c-4087-a6bb-9c37944f8298",
		Data:       42,
	}
	b, err := reply.AppendJSON(nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"meta": {"id": "56970f44-285e-4c9d-96ec-fbd2b6bec209", "path": "xbahn.response.51e532df-c59c-4087-a6bb-9c37944f8298", "response_id": "51e532df-c59c-4087-a6bb-9c37944f8298"}, "data": 42, "args": [], "kwargs": {}}
}

// Decode reads the JSON of Python peers, in any key order and spacing.
func ExampleDecode() {
	var m wire.Message
	err := wire.Decode([]byte(`{"meta":{"response_id":"x1","error":"boom"},"data":null}`), &m)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.IsResponse(), m.ResponseID, m.Error)

	err = wire.Decode([]byte(`{"data": "ping"}`), &m)
	fmt.Println(err)
	// Output:
	// true x1 boom
	// wire: missing meta at offset 16
}

// Limits bound what a decoder accepts from a peer.
func ExampleLimits() {
	limits := wire.Limits{MaxBytes: 1 << 20, MaxDepth: 8}
	var m wire.Message
	err := limits.Decode([]byte(`{"meta": {}, "data": [[[[[[[[[["deep"]]]]]]]]]]}`), &m)
	fmt.Println(err)
	// Output:
	// wire: nesting too deep in data at offset 29
}

// Sniff tells the two encodings apart by their first byte.
func ExampleSniff() {
	m := &wire.Message{Path: "person", Data: "John Smith"}
	bin, _ := m.AppendBinary(nil)
	js, _ := m.AppendJSON(nil)
	fmt.Println(wire.Sniff(bin), wire.Sniff(js), wire.Sniff([]byte("news {")))
	// Output:
	// binary json unknown
}

// A call's arguments, left encoded by DecodeHead, decode straight into
// the Go types of a function's parameters.
func ExampleUnmarshal() {
	type line struct {
		SKU string
		Qty int
	}
	type order struct {
		ID    string
		Lines []line
		Rush  bool `xbahn:"rush"`
	}
	// What a Python peer sends, keys in any case.
	in := []byte(`{"meta": {"id": "c1", "path": "comm.call"}, "data": "place_order",
		"args": [{"id": "A-7", "lines": [{"sku": "pen", "qty": 3}], "rush": true}]}`)
	var head wire.Message
	var body wire.Body
	if err := (wire.Limits{}).DecodeHead(in, &head, &body); err != nil {
		log.Fatal(err)
	}
	method, _ := body.Data.Text()
	var o order
	if err := wire.Unmarshal(body.Args[0], &o); err != nil {
		log.Fatal(err)
	}
	fmt.Println(head.Path, method)
	fmt.Printf("%+v\n", o)

	var n int
	fmt.Println(wire.Unmarshal(body.Args[0], &n))
	// Output:
	// comm.call place_order
	// {ID:A-7 Lines:[{SKU:pen Qty:3}] Rush:true}
	// cannot use a map as int
}
