package engineer

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// Version returns the version --version reports: the main module's, as
// the go command recorded it in the binary ("v0.1.0" for a go install of
// that version), or "(devel)" and the VCS revision for a build from a
// clone.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if v == "(devel)" && rev != "" {
		v += " " + rev[:min(12, len(rev))] + modified
	}
	return v
}

// Exit statuses of Main.
const (
	ExitOK      = 0 // the command ran
	ExitFailure = 1 // the server or the connection failed
	ExitUsage   = 2 // the command line was wrong
)

// Env is what Main works with: its streams, its environment, and what it
// can build.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(key string) string
	// Curve makes a CURVE client mechanism from Z85 keys (an empty
	// public and secret key asks for a new pair). It is nil where the
	// command is built without CURVE, which lives in module zmtp/curve.
	Curve func(serverKey, publicKey, secretKey string) (zmtp.Mechanism, error)
}

// cli is one run of the command line.
type cli struct {
	io      Env
	debug   bool
	json    bool
	timeout time.Duration
	key     string
	user    string
	pass    string
	curve   [3]string // server, public and secret key
	enc     string    // --encoding
}

const mainUsage = `Usage: engineer [OPTIONS] HOST COMMAND [ARGS]...
       engineer demo [--serve URL]

  run an engineer exposed action on a remote xbahn host

HOST is an xbahn URL such as zmq://127.0.0.1:7050/req.

Options:
  --version      Show the version and exit.
  --debug        Show the requests and replies.
  --json         Print results as JSON only, for scripts.
  --timeout D    Give up on the host after D (default 5s).
  --encoding E   Send messages as json or binary (default: binary to
                 peers that announce they read it, json to others).
  --key KEY      Shared key of a server that requires one
                 (default $XBAHN_KEY).
  --user U, --password P
                 PLAIN credentials (default $XBAHN_USER, $XBAHN_PASSWORD).
  --curve-server-key K [--curve-public-key K --curve-secret-key K]
                 CURVE keys in Z85 (default $XBAHN_CURVE_SERVER_KEY,
                 $XBAHN_CURVE_PUBLIC_KEY, $XBAHN_CURVE_SECRET_KEY); without
                 a key pair of its own, the client makes one.
  --help         Show this message and exit.
`

// Main runs the engineer command line with args (without the program
// name) and returns the exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	c := &cli{io: env}
	fs := flag.NewFlagSet("engineer", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	version := fs.Bool("version", false, "")
	help := fs.Bool("help", false, "")
	fs.BoolVar(&c.debug, "debug", false, "")
	fs.BoolVar(&c.json, "json", false, "")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "")
	fs.StringVar(&c.enc, "encoding", "", "")
	fs.StringVar(&c.key, "key", env.Getenv("XBAHN_KEY"), "")
	fs.StringVar(&c.user, "user", env.Getenv("XBAHN_USER"), "")
	fs.StringVar(&c.pass, "password", env.Getenv("XBAHN_PASSWORD"), "")
	for i, name := range []string{"server", "public", "secret"} {
		fs.StringVar(&c.curve[i], "curve-"+name+"-key", env.Getenv("XBAHN_CURVE_"+strings.ToUpper(name)+"_KEY"), "")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.io.Stdout, mainUsage)
			return ExitOK
		}
		return c.usage(err.Error())
	}
	rest := fs.Args()
	switch {
	case *version:
		fmt.Fprintln(c.io.Stdout, "engineer, version", Version())
		return ExitOK
	case len(rest) == 0 && *help:
		fmt.Fprint(c.io.Stdout, mainUsage)
		return ExitOK
	case len(rest) == 0:
		return c.usage("missing HOST")
	case rest[0] == "demo":
		return c.demo(ctx, rest[1:])
	}
	host := rest[0]
	return c.host(ctx, host, rest[1:], *help)
}

// usage reports a usage error.
func (c *cli) usage(msg string) int {
	fmt.Fprintf(c.io.Stderr, "engineer: %s\nRun 'engineer --help' for usage.\n", msg)
	return ExitUsage
}

// fail reports a failure of the server or the connection.
func (c *cli) fail(err error) int {
	fmt.Fprintln(c.io.Stderr, "engineer:", err)
	return ExitFailure
}

// options returns the connection options of the security and encoding
// flags.
func (c *cli) options() (*xbahn.Options, error) {
	var o xbahn.Options
	switch c.enc {
	case "":
	case "json":
		o.Encoding = wire.JSON
	case "binary":
		o.Encoding = wire.Binary
	default:
		return nil, &UsageError{Msg: "--encoding " + strconv.Quote(c.enc) + " is not json or binary"}
	}
	switch {
	case c.curve[0] != "":
		if c.io.Curve == nil {
			return nil, &UsageError{Msg: "this engineer is built without CURVE; use the one in module zmtp/curve: cd zmtp/curve && go run ./cmd/engineer"}
		}
		m, err := c.io.Curve(c.curve[0], c.curve[1], c.curve[2])
		if err != nil {
			return nil, &UsageError{Msg: "CURVE keys: " + err.Error()}
		}
		o.Socket.Mechanism = m
	case c.user != "":
		o.Socket.Mechanism = zmtp.PlainClient{Username: c.user, Password: c.pass}
	}
	return &o, nil
}

// connect reaches host and discovers its commands.
func (c *cli) connect(ctx context.Context, host string) (*Table, func(), error) {
	opts, err := c.options()
	if err != nil {
		return nil, nil, err
	}
	conn, err := xbahn.Connect(host, opts)
	if err != nil {
		return nil, nil, &UsageError{Msg: err.Error()}
	}
	link := xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn})
	if c.debug {
		link.OnReceive(func(m *xbahn.Message, w *xbahn.Wire) error {
			fmt.Fprintf(c.io.Stderr, "debug: reply %s: data=%v error=%q\n", m.Path, m.Data, m.Error)
			return nil
		})
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	client, err := rpc.NewClient(ctx, link.Main(), &rpc.ClientOptions{Key: c.key})
	if err == nil {
		var t *Table
		if t, err = Discover(ctx, client); err == nil {
			return t, func() { conn.Close() }, nil
		}
	}
	conn.Close()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer from %s within %v", host, c.timeout)
	}
	return nil, nil, err
}

// host runs a command, the shell, or the help of host.
func (c *cli) host(ctx context.Context, host string, words []string, help bool) int {
	t, closeConn, err := c.connect(ctx, host)
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return c.usage(ue.Msg)
		}
		return c.fail(err)
	}
	defer closeConn()
	if len(words) > 0 && isHelp(words[0]) {
		words, help = words[1:], true
	}
	if len(words) == 0 {
		if err := c.writeHelp(ctx, c.io.Stdout, t); err != nil {
			return c.fail(err)
		}
		if help {
			return ExitOK
		}
		return ExitUsage
	}
	if words[0] == "shell" {
		return c.shell(ctx, host, t)
	}
	return c.run(ctx, host, t, words)
}

// lookup finds a command of t within the timeout.
func (c *cli) lookup(ctx context.Context, t *Table, name string) (*Command, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	return t.Lookup(ctx, name)
}

// run runs one command line against t and prints the result.
func (c *cli) run(ctx context.Context, host string, t *Table, words []string) int {
	cmd, err := c.lookup(ctx, t, words[0])
	if errors.Is(err, ErrNoCommand) {
		return c.usage(fmt.Sprintf("%s has no command %q", host, words[0]))
	}
	if err != nil {
		return c.fail(err)
	}
	for _, w := range words[1:] {
		if isHelp(w) {
			cmd.WriteHelp(c.io.Stdout, host)
			return ExitOK
		}
	}
	v, err := cmd.Parse(words[1:])
	if err != nil {
		return c.usage(err.Error())
	}
	if c.debug {
		fmt.Fprintf(c.io.Stderr, "debug: request %s %v\n", cmd.Name, map[string]any(v))
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	result, err := t.Call(ctx, cmd.Name, v)
	if err != nil {
		return c.fail(err)
	}
	return c.print(host, cmd.Name, result)
}

func isHelp(w string) bool { return w == "--help" || w == "-help" || w == "-h" }

// print writes a result as "HOST: COMMAND> result", or as JSON.
func (c *cli) print(host, name string, result any) int {
	if c.json {
		b, err := json.Marshal(result)
		if err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.io.Stdout, "%s\n", b)
		return ExitOK
	}
	fmt.Fprintf(c.io.Stdout, "%s: %s> %s\n", host, name, format(result))
	return ExitOK
}

// format renders a result readably: text as it is, lists and maps as JSON.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case []any, map[string]any:
		b, err := json.Marshal(x)
		if err == nil {
			return strings.ReplaceAll(strings.ReplaceAll(string(b), `","`, `", "`), `":`, `": `)
		}
	}
	return fmt.Sprint(v)
}

// writeHelp lists the commands of a host.
func (c *cli) writeHelp(ctx context.Context, w io.Writer, t *Table) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmds, err := t.Commands(ctx)
	if err != nil {
		return err
	}
	fmt.Fprint(w, mainUsage)
	fmt.Fprintln(w, "\nCommands:")
	for _, cmd := range cmds {
		writeEntry(w, cmd.Name, summary(cmd.Description))
	}
	writeEntry(w, "shell", "open an engineer shell")
	return nil
}

// writeEntry writes one line of a command list.
func writeEntry(w io.Writer, name, desc string) {
	if desc == "" {
		fmt.Fprintf(w, "  %s\n", name)
		return
	}
	fmt.Fprintf(w, "  %-14s %s\n", name, desc)
}
