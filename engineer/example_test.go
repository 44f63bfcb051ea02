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
