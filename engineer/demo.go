package engineer

import (
	"context"
	"fmt"
	"strings"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
	"github.com/xbahn-go/xbahn/zmtp"
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
// command line against it; with --serve URL it only serves, at URL, until
// interrupted.
func (c *cli) demo(ctx context.Context, w *words) int {
	var serve string
	err := c.eachWord(w.rest(), func(word string) error {
		return &UsageError{Msg: "demo takes no argument, not " + quote(word) + "; usage: engineer demo [--serve URL]"}
	}, func(name, text string, hasText bool, next func(string) (string, error)) (bool, error) {
		if name != "serve" {
			return false, nil
		}
		var err error
		serve, err = valueOf("--serve", text, hasText, next)
		return true, err
	})
	if err != nil {
		return c.report(err)
	}
	if serve != "" {
		return c.serveDemo(serve)
	}
	conn, err := StartDemo("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		return c.report(err)
	}
	defer conn.Close()
	host := clientURL(conn)
	fmt.Fprintf(c.io.Stdout, "Demo server listening; its commands through the engineer command line:\n\n")
	for _, line := range [][]string{
		{host, "--help"},
		{host, "status"},
		{host, "do_something", "say hello"},
		{host, "show"},
		{host, "show", "--extra"},
		{host, "multiply", "7", "6"},
		{host, "multiply", "--help"},
		{host, "methods"},
	} {
		line = append(line, c.demoOptions()...)
		fmt.Fprintf(c.io.Stdout, "$ engineer %s\n", quoteWords(line))
		if code := Main(ctx, line, c.io); code != ExitOK {
			return code
		}
		fmt.Fprintln(c.io.Stdout)
	}
	return ExitOK
}

// demoOptions are the options given to demo that its command lines take
// on.
func (c *cli) demoOptions() []string {
	var opts []string
	if c.json {
		opts = append(opts, "--json")
	}
	if c.debug {
		opts = append(opts, "--debug")
	}
	if c.enc != "" {
		opts = append(opts, "--encoding="+c.enc)
	}
	if c.timeout != defaultTimeout {
		opts = append(opts, "--timeout="+c.timeout.String())
	}
	return opts
}

// serveDemo serves the demo at url, a server's URL, until SIGINT or
// SIGTERM.
func (c *cli) serveDemo(url string) int {
	u, err := xbahn.ParseURL(url)
	if err != nil {
		return c.report(&UsageError{Msg: "--serve: " + err.Error()})
	}
	if u.Type != zmtp.REP && u.Type != zmtp.ROUTER {
		return c.report(&UsageError{Msg: fmt.Sprintf("--serve takes the URL the server listens at, of type rep or router, such as zmq://127.0.0.1:7050/rep; %s is a client's", strings.ToLower(u.Type.String()))})
	}
	conn, err := StartDemo(url, nil)
	if err != nil {
		return c.report(err)
	}
	defer conn.Close()
	fmt.Fprintf(c.io.Stdout, "Demo server listening at %s; try:\n  engineer %s --help\n", url, clientURL(conn))
	conn.WaitForSignal()
	return ExitOK
}

// clientURL is the URL a client of the listening conn connects to.
func clientURL(conn *xbahn.Conn) string {
	return strings.TrimSuffix(strings.TrimPrefix(conn.Remote(), "connect->"), "?transport=tcp")
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
