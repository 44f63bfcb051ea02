package engineer_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/engineer"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
)

// The guide's "Engineer": a server declares commands on its engineer
// widget, and the engineer command line discovers and runs them.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Server.
	conn, err := xbahn.Listen("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	server, _ := rpc.NewServer(nil)
	defer server.Close()
	host, _ := widget.NewHost(server, nil)
	status := "ok"
	engineer.Serve(host, []engineer.Command{
		{
			Name: "status",
			Run:  func(context.Context, engineer.Values) (any, error) { return status, nil },
		},
		{
			Name:        "do_something",
			Description: "Do the task specified in [WHAT]",
			Args:        []engineer.Arg{{Name: "what"}},
			Run: func(_ context.Context, v engineer.Values) (any, error) {
				return "did " + v.String("what"), nil
			},
		},
		{
			Name:    "show",
			Options: []engineer.Option{{Name: "extra", Type: engineer.Bool, Default: false, Help: "include extra info"}},
			Run: func(_ context.Context, v engineer.Values) (any, error) {
				rv := []string{"Basic"}
				if v.Bool("extra") {
					rv = append(rv, "Extra!!")
				}
				return rv, nil
			},
		},
	})
	server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))

	// The command line, as "engineer HOST ..." runs it. The port is
	// picked anew each run; the output shows the guide's.
	url := strings.TrimPrefix(conn.Remote(), "connect->")
	for _, args := range [][]string{
		{url, "do_something", "say hello"},
		{url, "show", "--extra"},
		{url, "status"},
	} {
		var out bytes.Buffer
		engineer.Main(ctx, args, engineer.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out})
		fmt.Print(strings.ReplaceAll(out.String(), url, "zmq://0.0.0.0:7050/req"))
	}
	// Output:
	// zmq://0.0.0.0:7050/req: do_something> did say hello
	// zmq://0.0.0.0:7050/req: show> ["Basic", "Extra!!"]
	// zmq://0.0.0.0:7050/req: status> ok
}

// Any rpc server's functions, declared as engineer commands or not, are
// reached through the builtins methods, describe and call; options go
// anywhere on the line, and --json makes every output one JSON document.
func Example_methods() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	conn, err := xbahn.Listen("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	server, _ := rpc.NewServer(nil)
	defer server.Close()
	server.Register("multiply", func(a, b int) int { return a * b }, "a", "b")
	server.Document("multiply", "Multiply returns a times b.")
	server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))

	url := strings.TrimPrefix(conn.Remote(), "connect->")
	for _, args := range [][]string{
		{url, "methods"},
		{url, "call", "multiply", "6", "7"},
		{url, "call", "multiply", "--kw", "a=6", "--json", "--kw", "b=7"},
		{url, "call", "multiply", "6", "seven", "--json"},
	} {
		var out bytes.Buffer
		code := engineer.Main(ctx, args, engineer.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out})
		fmt.Print(strings.ReplaceAll(out.String(), url, "HOST"))
		fmt.Println("exit", code)
	}
	// Output:
	// multiply(a int, b int) int
	//     Multiply returns a times b.
	// exit 0
	// HOST: multiply> 42
	// exit 0
	// 42
	// exit 0
	// {"error":{"code":"invalid_argument","kind":"failure","message":"rpc: multiply: argument \"b\": cannot use the string \"seven\" as int"}}
	// exit 1
}
