package route_test

import (
	"errors"
	"fmt"

	"github.com/xbahn-go/xbahn/route"
)

// The path example of the xbahn guide: a handler for "address" also
// receives messages sent to "address.usa", but not those for "addressbook".
func Example() {
	type handler func(path, data string)
	var handlers route.Tree[handler]
	handlers.Add("person", func(path, data string) {
		fmt.Println("PERSON", data, path)
	})
	handlers.Add("address", func(path, data string) {
		fmt.Println("ADDRESS", data, path)
	})

	send := func(path, data string) {
		for _, h := range handlers.Match(path, nil) {
			h(path, data)
		}
	}
	send("person", "John Smith")
	send("address", "Some Street, 123")
	send("address.usa", "Another Street, 123")
	send("addressbook", "nobody listens")
	// Output:
	// PERSON John Smith person
	// ADDRESS Some Street, 123 address
	// ADDRESS Another Street, 123 address.usa
}

func ExampleTree_Match() {
	var t route.Tree[string]
	for _, p := range []string{"address", "address.usa", "address.usa.ny", "addressbook"} {
		t.Add(p, p)
	}
	dst := make([]string, 0, 4) // reused: Match allocates nothing
	for _, p := range []string{"address.usa.ny.nyc", "address.uk", "addressbook", "address..usa"} {
		dst = t.Match(p, dst[:0])
		fmt.Printf("%s: %q\n", p, dst)
	}
	// Output:
	// address.usa.ny.nyc: ["address" "address.usa" "address.usa.ny"]
	// address.uk: ["address"]
	// addressbook: ["addressbook"]
	// address..usa: ["address"]
}

// Ancestors gives the prefix each value is registered for, from which Tail
// takes the rest of the path.
func ExampleTree_Ancestors() {
	var t route.Tree[string]
	t.Add("comm.call", "method")
	t.Add("comm.call.widgets", "widget")

	path := "comm.call.widgets.engineer.$.1"
	for prefix, kind := range t.Ancestors(path) {
		rest, _ := route.Tail(prefix, path)
		fmt.Printf("%s at %s, then %q\n", kind, prefix, rest)
	}
	// Output:
	// method at comm.call, then "widgets.engineer.$.1"
	// widget at comm.call.widgets, then "engineer.$.1"
}

// Update keeps a list of handlers per path, replacing the list instead of
// changing it, so that lists handed out by Match stay valid.
func ExampleTree_Update() {
	var t route.Tree[[]string]
	on := func(path, name string) {
		t.Update(path, func(hs []string, _ bool) ([]string, bool) {
			return append(hs[:len(hs):len(hs)], name), true
		})
	}
	on("address", "log")
	on("address", "store")
	on("address.usa", "geocode")
	fmt.Println(t.Match("address.usa.ny", nil))

	// Dropping the last handler removes the path.
	t.Update("address.usa", func([]string, bool) ([]string, bool) { return nil, false })
	fmt.Println(t.Match("address.usa.ny", nil), t.Len())
	// Output:
	// [[log store] [geocode]]
	// [[log store]] 1
}

func ExampleTree_Add() {
	var t route.Tree[int]
	fmt.Println(t.Add("address", 1))
	err := t.Add("address", 2)
	fmt.Println(err, errors.Is(err, route.ErrExists))
	err = t.Add("address..usa", 3)
	fmt.Println(err, errors.Is(err, route.ErrInvalid))
	// Output:
	// <nil>
	// route: duplicate path "address" true
	// route: invalid path "address..usa": empty segment true
}

func ExampleJoin() {
	fmt.Println(route.Join("comm", "call"))
	fmt.Println(route.Join(".a.", "", "b", "c."))
	fmt.Printf("%q\n", route.Join("", "."))
	// Output:
	// comm.call
	// a.b.c
	// ""
}

func ExampleTail() {
	for _, prefix := range []string{"part.1", "part.2"} {
		rest, ok := route.Tail(prefix, "part.1.part.2.part.3")
		fmt.Printf("%q %v\n", rest, ok)
	}
	// Output:
	// "part.2.part.3" true
	// "" false
}

func ExamplePrefixes() {
	for p := range route.Prefixes("a.b.c") {
		fmt.Println(p)
	}
	// Output:
	// a
	// a.b
	// a.b.c
}
