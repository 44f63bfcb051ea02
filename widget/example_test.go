package widget_test

import (
	"context"
	"fmt"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
	"github.com/xbahn-go/xbahn/zmtp"
)

// Demo is the server side of the guide's "demo" widget.
type Demo struct{ num int }

// SetNumber is something for the client widget to call.
func (d *Demo) SetNumber(num int) { d.num = num }

// GetNumber returns the number.
func (d *Demo) GetNumber() int { return d.num }

// The guide's "Unaware Server": instances are shared by id among clients.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}

	// Server.
	conn, _ := xbahn.Listen("zmq://widgets/rep?transport=inproc", opts)
	defer conn.Close()
	server, _ := rpc.NewServer(nil)
	host, _ := widget.NewHost(server, nil)
	host.Register("demo", func(*widget.Instance) any { return &Demo{} })
	server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))

	// Client.
	cconn, _ := xbahn.Connect("zmq://widgets/req?transport=inproc", opts)
	defer cconn.Close()
	client, _ := rpc.NewClient(ctx, xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main(), nil)

	widgetA, _ := widget.Attach(ctx, client, "demo", "widget_a", nil)
	widgetA.Call(ctx, "set_number", 123)
	n, _ := widget.CallAs[int](ctx, widgetA, "get_number")
	fmt.Println("Number on the server widget (A)", n)

	widgetB, _ := widget.Attach(ctx, client, "demo", "widget_b", nil)
	n, _ = widget.CallAs[int](ctx, widgetB, "get_number")
	fmt.Println("Number on the server widget (B)", n)

	widgetC, _ := widget.Attach(ctx, client, "demo", "widget_a", nil)
	n, _ = widget.CallAs[int](ctx, widgetC, "get_number")
	fmt.Println("Number on the server widget (C through A)", n)
	// Output:
	// Number on the server widget (A) 123
	// Number on the server widget (B) 0
	// Number on the server widget (C through A) 123
}

// PokeServer is the server side of the guide's widget-aware "demo".
type PokeServer struct {
	inst  *widget.Instance
	poked bool
}

// Poked reports whether the widget was poked.
func (p *PokeServer) Poked() bool { return p.poked }

// Poke is something for the client widget to call: it calls slap on the
// client's side.
func (p *PokeServer) Poke(ctx context.Context) error {
	p.poked = true
	_, err := p.inst.Call(ctx, "slap")
	return err
}

// PokeClient is the client side of the widget-aware "demo".
type PokeClient struct{ slapped bool }

// Slap is something for the server widget to call.
func (p *PokeClient) Slap() { p.slapped = true }

// Slapped reports whether the server slapped.
func (p *PokeClient) Slapped() bool { return p.slapped }

// The guide's "Widget Aware Server": instances per client, and a server
// widget that calls its client's widget.
func Example_widgetAware() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}

	// Server.
	conn, _ := xbahn.Listen("zmq://aware/rep?transport=inproc", opts)
	defer conn.Close()
	server, _ := rpc.NewServer(&rpc.ServerOptions{ClientAware: true, Conn: opts})
	defer server.Close()
	host, _ := widget.NewHost(server, &widget.HostOptions{PerClient: true})
	host.Register("demo", func(inst *widget.Instance) any { return &PokeServer{inst: inst} })
	server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))

	// A two-way client, with a responder for the server's calls.
	cconn, _ := xbahn.Connect("zmq://aware/req?transport=inproc", opts)
	defer cconn.Close()
	responder, _ := xbahn.Listen("zmq://aware-responder/rep?transport=inproc", opts)
	defer responder.Close()
	local, _ := rpc.NewServer(nil)
	localWidgets, _ := widget.NewHost(local, nil)
	wire := xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main()
	client, _ := rpc.NewClient(ctx, wire, &rpc.ClientOptions{Responder: responder, Local: local})
	defer client.Close()

	mine := &PokeClient{}
	widgetA, _ := widget.Attach(ctx, client, "demo", "widget_a", &widget.AttachOptions{Local: mine, Host: localWidgets})
	widgetA.Call(ctx, "poke")
	fmt.Println("Slapped (a)?", mine.Slapped())
	poked, _ := widget.CallAs[bool](ctx, widgetA, "poked")
	fmt.Println("Poked (a)?", poked)

	// Another client on the same connection has its own instance.
	clientB, _ := rpc.NewClient(ctx, wire, nil)
	widgetAB, _ := widget.Attach(ctx, clientB, "demo", "widget_a", nil)
	poked, _ = widget.CallAs[bool](ctx, widgetAB, "poked")
	fmt.Println("Poked (b)?", poked)
	// Output:
	// Slapped (a)? true
	// Poked (a)? true
	// Poked (b)? false
}
