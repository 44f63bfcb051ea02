package engineer

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
)

// DemoCommands are the commands of the demo server: the guide's status,
// do_something and show, and multiply.
func DemoCommands() []Command {
	return []Command{
		{
			Name: "status",
			Run:  func(context.Context, Values) (any, error) { return "ok", nil },
		},
		{
			Name:        "do_something",
			Description: "Do the task specified in [WHAT]",
			Args:        []Arg{{Name: "what", Help: "the task"}},
			Run: func(_ context.Context, v Values) (any, error) {
				return "did " + v.String("what"), nil
			},
		},
		{
			Name:    "show",
			Options: []Option{{Name: "extra", Type: Bool, Default: false, Help: "include extra info"}},
			Run: func(_ context.Context, v Values) (any, error) {
				rv := []any{"Basic"}
				if v.Bool("extra") {
					rv = append(rv, "Extra!!")
				}
				return rv, nil
			},
		},
		{
			Name:        "multiply",
			Description: "Multiply A with B",
			Args:        []Arg{{Name: "a", Type: Int}, {Name: "b", Type: Int}},
			Run: func(_ context.Context, v Values) (any, error) {
				return v.Int("a") * v.Int("b"), nil
			},
		},
	}
}

// StartDemo serves the demo commands on a connection listening at url. The
// returned connection's Remote names the URL to run the command line
// against; closing it stops the server.
func StartDemo(url string, o *xbahn.Options) (*xbahn.Conn, error) {
	conn, err := xbahn.Listen(url, o)
	if err != nil {
		return nil, err
	}
	server, err := rpc.NewServer(nil)
	var host *widget.Host
	if err == nil {
		host, err = widget.NewHost(server, nil)
	}
	if err == nil {
		err = Serve(host, DemoCommands())
	}
	if err == nil {
		err = server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// demo runs the demo: a server on loopback in this process, and the
// command line against it; with --serve URL it only serves, until
// interrupted.
func (c *cli) demo(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	serve := fs.String("serve", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return c.usage("usage: engineer demo [--serve URL]")
	}
	if *serve != "" {
		conn, err := StartDemo(*serve, nil)
		if err != nil {
			return c.fail(err)
		}
		host := strings.TrimPrefix(conn.Remote(), "connect->")
		fmt.Fprintf(c.io.Stdout, "Demo server running; try: engineer %s --help\n", host)
		conn.WaitForSignal()
		return ExitOK
	}
	conn, err := StartDemo("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		return c.fail(err)
	}
	defer conn.Close()
	host := strings.TrimSuffix(strings.TrimPrefix(conn.Remote(), "connect->"), "?transport=tcp")
	fmt.Fprintf(c.io.Stdout, "Demo server listening; its commands through the engineer command line:\n\n")
	for _, line := range [][]string{
		{host, "--help"},
		{host, "status"},
		{host, "do_something", "say hello"},
		{host, "show"},
		{host, "show", "--extra"},
		{host, "multiply", "7", "6"},
		{host, "multiply", "--help"},
	} {
		fmt.Fprintf(c.io.Stdout, "$ engineer %s\n", quoteWords(line))
		if code := Main(ctx, line, c.io); code != ExitOK {
			return code
		}
		fmt.Fprintln(c.io.Stdout)
	}
	return ExitOK
}

func quoteWords(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if strings.ContainsAny(w, " \t'\"\\?*[]$&;|<>()") || w == "" {
			w = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		out[i] = w
	}
	return strings.Join(out, " ")
}
