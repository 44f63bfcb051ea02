package xbahn_test

import (
	"context"
	"fmt"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp"
)

// The guide's "Sending and Responding": a REP server answers, a REQ
// client sends and waits, and both print what they get. The two ends meet
// in process here, over inproc; with tcp URLs they can be two programs.
func Example_messaging() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}

	// Server.
	server, err := xbahn.Listen("zmq://messaging/rep?transport=inproc", opts)
	if err != nil {
		panic(err)
	}
	defer server.Close()
	serverLink := xbahn.NewLink(xbahn.Conns{Respond: server, Receive: server})
	serverLink.OnReceive(func(m *xbahn.Message, w *xbahn.Wire) error {
		fmt.Println(m.Data)   // Test
		fmt.Println(m.Args)   // [an arg]
		fmt.Println(m.Kwargs) // map[something:extra]
		return w.Respond(m, xbahn.NewMessage(fmt.Sprintf("Message '%s' received!", m.Data)))
	})
	fmt.Println("Server running!")

	// Client.
	client, err := xbahn.Connect("zmq://messaging/req?transport=inproc", opts)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	clientLink := xbahn.NewLink(xbahn.Conns{Send: client, Receive: client})
	clientLink.OnReceive(func(m *xbahn.Message, w *xbahn.Wire) error {
		fmt.Println(m.Data)
		return nil
	})
	msg := xbahn.NewMessage("Test", "an arg")
	msg.Kwargs = map[string]any{"something": "extra"}
	if _, err := clientLink.Main().SendAndWait(ctx, "test", msg); err != nil {
		panic(err)
	}
	// Output:
	// Server running!
	// Test
	// [an arg]
	// map[something:extra]
	// Message 'Test' received!
}

// The guide's message response event: a callback on the message itself
// runs when its response arrives.
func ExampleMessage_OnResponse() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}
	server, _ := xbahn.Listen("zmq://callback/rep?transport=inproc", opts)
	defer server.Close()
	xbahn.NewLink(xbahn.Conns{Respond: server, Receive: server}).OnReceive(
		func(m *xbahn.Message, w *xbahn.Wire) error {
			return w.Respond(m, xbahn.NewMessage("Got it: "+m.Data.(string)))
		})

	client, _ := xbahn.Connect("zmq://callback/req?transport=inproc", opts)
	defer client.Close()
	link := xbahn.NewLink(xbahn.Conns{Send: client, Receive: client})
	message := xbahn.NewMessage("Test message!")
	message.OnResponse(func(resp *xbahn.Message) {
		fmt.Println("Message received response:", resp.Data)
	})
	if _, err := link.Main().SendAndWait(ctx, "test", message); err != nil {
		panic(err)
	}
	// Output:
	// Message received response: Got it: Test message!
}

// The guide's "Xbahn Pathing": handlers for "person" and "address"; the
// one for "address" also gets "address.usa".
func Example_pathing() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}

	server, _ := xbahn.Listen("zmq://pathing/rep?transport=inproc", opts)
	defer server.Close()
	link := xbahn.NewLink(xbahn.Conns{Respond: server, Receive: server})
	link.OnPath("person", func(m *xbahn.Message, w *xbahn.Wire) error {
		fmt.Println("Message arrived", "PERSON", m.Data, m.Path)
		return nil
	})
	link.OnPath("address", func(m *xbahn.Message, w *xbahn.Wire) error {
		fmt.Println("Message arrived", "ADDRESS", m.Data, m.Path)
		return nil
	})
	fmt.Println("Server running!")

	client, _ := xbahn.Connect("zmq://pathing/req?transport=inproc", opts)
	defer client.Close()
	main := xbahn.NewLink(xbahn.Conns{Send: client, Receive: client}).Main()
	main.Send(ctx, "person", xbahn.NewMessage("John Smith"))
	main.Send(ctx, "address", xbahn.NewMessage("Some Street, 123"))
	main.Send(ctx, "address.usa", xbahn.NewMessage("Another Street, 123"))
	// Output:
	// Server running!
	// Message arrived PERSON John Smith person
	// Message arrived ADDRESS Some Street, 123 address
	// Message arrived ADDRESS Another Street, 123 address.usa
}
