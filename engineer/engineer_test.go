package engineer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
	"github.com/xbahn-go/xbahn/zmtp"
)

// startDemo serves the demo commands on loopback and returns the URL to
// run the command line against.
func startDemo(t *testing.T) string {
	t.Helper()
	conn, err := StartDemo("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return strings.TrimPrefix(conn.Remote(), "connect->")
}

// run runs the command line in process.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code = Main(ctx, args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func TestCommands(t *testing.T) {
	host := startDemo(t)
	tests := []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{host, "status"}, 0, host + ": status> ok\n", ""},
		{[]string{host, "do_something", "say hello"}, 0, host + ": do_something> did say hello\n", ""},
		{[]string{host, "show"}, 0, host + `: show> ["Basic"]` + "\n", ""},
		{[]string{host, "show", "--extra"}, 0, host + `: show> ["Basic", "Extra!!"]` + "\n", ""},
		{[]string{host, "show", "--no-extra"}, 0, host + `: show> ["Basic"]` + "\n", ""},
		{[]string{host, "multiply", "7", "6"}, 0, host + ": multiply> 42\n", ""},
		{[]string{"--json", host, "show", "--extra"}, 0, `["Basic","Extra!!"]` + "\n", ""},
		{[]string{"--json", host, "multiply", "-3", "2"}, 0, "-6\n", ""},
		{[]string{host, "multiply", "7"}, 2, "", "missing argument B"},
		{[]string{host, "multiply", "7", "x"}, 2, "", `argument B: "x" is not an int`},
		{[]string{host, "multiply", "7", "6", "5"}, 2, "", `unexpected argument "5"`},
		{[]string{host, "show", "--loud"}, 2, "", "show: --loud is not an option"},
		{[]string{host, "nothing"}, 2, "", `has no command "nothing"`},
		{[]string{host}, 2, "Commands:", ""},
		{[]string{}, 2, "", "missing HOST"},
		{[]string{"--bogus"}, 2, "", "unknown option --bogus"},
		{[]string{"zmq://127.0.0.1/req", "status"}, 2, "", "host"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.inErr) {
			t.Errorf("engineer %q = %d\nstdout %q\nstderr %q\nwant %d, stdout with %q, stderr with %q",
				tt.args, code, out, errOut, tt.code, tt.out, tt.inErr)
		}
	}
}

func TestHelp(t *testing.T) {
	host := startDemo(t)
	code, out, _ := run(t, "", "--help")
	if code != 0 || !strings.Contains(out, "Usage: engineer [OPTIONS] HOST COMMAND [ARGS]...") || strings.Contains(out, "status") {
		t.Errorf("engineer --help = %d\n%s", code, out)
	}
	code, out, _ = run(t, "", host, "--help")
	want := "Commands:\n" +
		"  do_something           Do the task specified in [WHAT]\n" +
		"  multiply               Multiply A with B\n" +
		"  show\n" +
		"  status\n" +
		"  shell                  open an engineer shell\n" +
		"  help [COMMAND]         list the commands, or show a command's usage\n" +
		"  methods                list the host's rpc methods\n" +
		"  describe METHOD        show an rpc method's parameters and doc\n" +
		"  call METHOD [ARG]...   call an rpc method: ARGs and --kw NAME=VALUE as JSON, else text\n"
	if code != 0 || !strings.HasSuffix(out, want) {
		t.Errorf("engineer HOST --help = %d\n%s\nwant it to end with\n%s", code, out, want)
	}
	code, out, _ = run(t, "", host, "show", "--help")
	for _, s := range []string{"Usage: engineer " + host + " show [OPTIONS]", "--extra / --no-extra   include extra info (default false)"} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("engineer HOST show --help = %d\n%s\nwant %q", code, out, s)
		}
	}
	code, out, _ = run(t, "", host, "do_something", "--help")
	if code != 0 || !strings.Contains(out, "Usage: engineer "+host+" do_something WHAT\n\n  Do the task specified in [WHAT]") {
		t.Errorf("engineer HOST do_something --help = %d\n%s", code, out)
	}
	if code, out, _ := run(t, "", "--version"); code != 0 || out != "engineer, version "+Version()+"\n" || !strings.HasPrefix(Version(), "(devel)") {
		t.Errorf("--version = %d %q", code, out)
	}
}

func TestUnreachable(t *testing.T) {
	tests := []struct {
		name, host string
		want       []string
	}{
		{"refused", "zmq://127.0.0.1:1/req", []string{"cannot reach zmq://127.0.0.1:1/req", "connection refused"}},
		{"no such host", "zmq://nosuch.invalid:7050/req", []string{"cannot reach zmq://nosuch.invalid:7050/req", "nosuch.invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A timeout longer than the test's own: only failing at once passes.
			code, _, errOut := run(t, "", "--timeout", "1h", tt.host, "status")
			if code != ExitFailure {
				t.Errorf("exit %d, want %d", code, ExitFailure)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
}

func TestShell(t *testing.T) {
	host := startDemo(t)
	script := strings.Join([]string{
		"help",
		"help show",
		`do_something "say \"hi\" there"`,
		"do_something 'single quoted'",
		"",
		"multiply 7",
		"nothing here",
		`do_something "unterminated`,
		"multiply 6 7",
		"quit",
		"status",
	}, "\n")
	code, out, errOut := run(t, script, host, "shell")
	if code != ExitFailure {
		t.Errorf("a script with failing commands = %d, want %d; stderr %q", code, ExitFailure, errOut)
	}
	for _, want := range []string{
		"Commands:\n  do_something",
		"Usage: engineer " + host + " show [OPTIONS]",
		`do_something> did say "hi" there`,
		"do_something> did single quoted",
		"multiply> 42",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("shell output lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"missing argument B", `no command "nothing"`, "unterminated \" quote"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("shell errors lack %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(errOut, "Type 'help' for the commands") || strings.Contains(errOut, "engineer --help") {
		t.Errorf("the shell's usage errors point elsewhere than its help:\n%s", errOut)
	}
	if strings.Contains(out, "status> ok") {
		t.Error("the shell ran a command after quit")
	}
	if strings.Contains(out, host+"> ") {
		t.Error("the shell showed a prompt without a terminal")
	}
	// End of input ends the shell too.
	if code, out, _ := run(t, "status", host, "shell"); code != 0 || !strings.Contains(out, "status> ok") {
		t.Errorf("shell to the end of input = %d %q", code, out)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"a b  c", []string{"a", "b", "c"}, false},
		{`a "b c" 'd e'`, []string{"a", "b c", "d e"}, false},
		{`a\ b`, []string{"a b"}, false},
		{`'it''s'`, []string{"its"}, false},
		{`"" x`, []string{"", "x"}, false},
		{`'a\b'`, []string{`a\b`}, false},
		{`"unclosed`, nil, true},
		{`tail\`, nil, true},
		{"", nil, false},
	}
	for _, tt := range tests {
		got, err := Split(tt.in)
		if (err != nil) != tt.err || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("Split(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestDemo(t *testing.T) {
	code, out, errOut := run(t, "", "demo")
	if code != 0 {
		t.Fatalf("demo = %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Commands:", "status> ok", "do_something> did say hello", `show> ["Basic", "Extra!!"]`, "multiply> 42"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

func TestServeErrors(t *testing.T) {
	run := func(context.Context, Values) (any, error) { return nil, nil }
	tests := []struct {
		cmds []Command
		want string
	}{
		{[]Command{{Name: "", Run: run}}, "command name"},
		{[]Command{{Name: "has space", Run: run}}, "is not letters"},
		{[]Command{{Name: "x"}}, "no Run function"},
		{[]Command{{Name: "shell", Run: run}}, `"shell" is a reserved name`},
		{[]Command{{Name: "call", Run: run}}, `"call" is a reserved name`},
		{[]Command{{Name: "x", Run: run}, {Name: "x", Run: run}}, `command "x" declared twice`},
		{[]Command{{Name: "x", Run: run, Args: []Arg{{Name: "n", Type: "integer"}}}}, `type "integer" is not string, int, float or bool`},
		{[]Command{{Name: "x", Run: run, Options: []Option{{Name: "n", Type: "integer"}}}}, `type "integer"`},
		{[]Command{{Name: "x", Run: run, Options: []Option{{Name: "n", Type: Int, Default: "many"}}}}, "default many is not an int"},
		{[]Command{{Name: "x", Run: run, Options: []Option{{Name: "--on/--no-on", Type: Int}}}}, "on/off pair"},
		{[]Command{{Name: "x", Run: run, Args: []Arg{{Name: "a"}}, Options: []Option{{Name: "a"}}}}, `"a" declared twice`},
		{[]Command{{Name: "x", Run: run, Options: []Option{{Name: "a_b"}, {Name: "a-b"}}}}, `"a-b" declared twice`},
		{[]Command{{Name: "x", Run: run, Options: []Option{{Name: "-v"}}}}, "is not letters"},
		{[]Command{{Name: "x", Run: run, Options: []Option{{Name: "help"}}}}, "would hide"},
		{[]Command{{Name: "quit", Run: run}}, `"quit" is a reserved name`},
	}
	for _, tt := range tests {
		host, err := widget.NewHost(mustServer(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := Serve(host, tt.cmds); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Serve(%+v) = %v, want an error with %q", tt.cmds, err, tt.want)
		}
	}
	host, err := widget.NewHost(mustServer(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Serve(host, []Command{{Name: "a", Run: run}}); err != nil {
		t.Fatal(err)
	}
	if err := Serve(host, []Command{{Name: "b", Run: run}}); err == nil || !strings.Contains(err.Error(), "serves commands already") {
		t.Errorf("a second Serve on a host = %v, want an error", err)
	}
}

// TestClickOptionNames serves an option named as the guide declares it,
// "--extra/--no-extra", and uses it.
func TestClickOptionNames(t *testing.T) {
	conn := serveAt(t, "zmq://127.0.0.1:0/rep", []Command{{
		Name:    "show",
		Options: []Option{{Name: "--extra/--no-extra", Default: false, Help: "include extra info"}, {Name: "--count", Type: Int, Default: 1}},
		Run: func(_ context.Context, v Values) (any, error) {
			return fmt.Sprint(v.Bool("extra"), v.Int("count")), nil
		},
	}}, nil)
	host := clientURL(conn)
	code, out, _ := run(t, "", host, "show", "--help")
	if code != 0 || !strings.Contains(out, "--extra / --no-extra") || strings.Contains(out, "----") || !strings.Contains(out, "--count") {
		t.Errorf("show --help = %d\n%s", code, out)
	}
	if code, out, _ := run(t, "", host, "show", "--extra", "--count=3"); code != 0 || out != host+": show> true 3\n" {
		t.Errorf("show --extra --count=3 = %d %q", code, out)
	}
}

func mustServer(t *testing.T) *rpc.Server {
	t.Helper()
	s, err := rpc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCredentials(t *testing.T) {
	plain := zmtp.PlainServer{Authenticate: func(user, pass string, _ net.Addr) (string, error) {
		if user == "ops" && pass == "hunter2" {
			return user, nil
		}
		return "", errors.New("no")
	}}
	conn, err := StartDemo("zmq://127.0.0.1:0/rep", &xbahn.Options{Socket: zmtp.Options{Mechanism: plain}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	host := strings.TrimPrefix(conn.Remote(), "connect->")
	env := map[string]string{"XBAHN_USER": "ops", "XBAHN_PASSWORD": "hunter2"}
	tests := []struct {
		args []string
		env  map[string]string
		code int
	}{
		{[]string{"--user", "ops", "--password", "hunter2", host, "status"}, nil, 0},
		{[]string{host, "status"}, env, 0},
		{[]string{"--debug", "--user", "ops", "--password", "wr0ngpa55", "--timeout", "500ms", host, "status"}, nil, 1},
		{[]string{"--curve-server-key", "x", host, "status"}, nil, 2},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := Main(ctx, tt.args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return tt.env[k] }})
		cancel()
		if code != tt.code {
			t.Errorf("engineer %q = %d (stderr %q), want %d", tt.args, code, errOut.String(), tt.code)
		}
		if all := out.String() + errOut.String(); strings.Contains(all, "hunter2") || strings.Contains(all, "wr0ngpa55") {
			t.Errorf("engineer %q printed a password: %q", tt.args, all)
		}
	}
}
