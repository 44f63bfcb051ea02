package rpc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/zmtp"
)

// API is what the guide's server exposes.
type API struct{}

// Ping is something to call for our client.
func (API) Ping() string { return "pong!" }

// Multiply multiplies a with b.
func (API) Multiply(a, b int) int { return a * b }

// The guide's one-way API: the client calls ping and multiply.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}

	// Server.
	conn, _ := xbahn.Listen("zmq://api/rep?transport=inproc", opts)
	defer conn.Close()
	server, _ := rpc.NewServer(nil)
	server.RegisterMethods(API{})
	server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))

	// Client.
	cconn, _ := xbahn.Connect("zmq://api/req?transport=inproc", opts)
	defer cconn.Close()
	client, err := rpc.NewClient(ctx, xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main(), nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("ping!")
	pong, _ := rpc.CallAs[string](ctx, client, "ping")
	fmt.Println(pong)
	product, _ := rpc.CallAs[int](ctx, client, "multiply", 7, 6)
	fmt.Println("7*6 =", product)
	// Output:
	// ping!
	// pong!
	// 7*6 = 42
}

// The guide's two-way API: the server calls touch on every new client.
func Example_twoWay() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}

	// Server: client-aware, so that it can call its clients.
	conn, _ := xbahn.Listen("zmq://api2/rep?transport=inproc", opts)
	defer conn.Close()
	server, _ := rpc.NewServer(&rpc.ServerOptions{ClientAware: true, Conn: opts})
	defer server.Close()
	server.RegisterMethods(API{})
	server.OnNewClient(func(ctx context.Context, c *rpc.Remote) {
		c.Call(ctx, "touch")
	})
	server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))

	// Client: it listens on a responder connection for the server's calls.
	cconn, _ := xbahn.Connect("zmq://api2/req?transport=inproc", opts)
	defer cconn.Close()
	responder, _ := xbahn.Listen("zmq://client-responder/rep?transport=inproc", opts)
	defer responder.Close()
	touched := false
	local, _ := rpc.NewServer(nil)
	local.Register("touch", func() bool { touched = true; return true })

	client, err := rpc.NewClient(ctx, xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main(),
		&rpc.ClientOptions{Responder: responder, Local: local})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	fmt.Println("ping!")
	pong, _ := rpc.CallAs[string](ctx, client, "ping")
	fmt.Println(pong)
	fmt.Println("Touched?", touched)
	// Output:
	// ping!
	// pong!
	// Touched? true
}
