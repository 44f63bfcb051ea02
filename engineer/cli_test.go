package engineer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
	"github.com/xbahn-go/xbahn/zmtp"
)

// testServer serves the demo's commands, a slow one, a failing one and a
// documented rpc function.
type testServer struct {
	url       string
	started   chan struct{} // a slow call began
	cancelled chan struct{} // a slow call's context ended
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	ts := &testServer{started: make(chan struct{}, 8), cancelled: make(chan struct{}, 8)}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	cmds := append(DemoCommands(),
		Command{Name: "slow", Description: "Wait until cancelled", Run: func(ctx context.Context, _ Values) (any, error) {
			ts.started <- struct{}{}
			select {
			case <-ctx.Done():
				ts.cancelled <- struct{}{}
				return nil, ctx.Err()
			case <-release:
				return "released", nil
			}
		}},
		Command{Name: "explode", Description: "Always fails", Run: func(context.Context, Values) (any, error) {
			return nil, errors.New("kaboom")
		}},
	)
	conn := serveAt(t, "zmq://127.0.0.1:0/rep", cmds, func(server *rpc.Server) error {
		if err := server.Register("add", func(a, b int) int { return a + b }, "a", "b"); err != nil {
			return err
		}
		return server.Document("add", "Add returns a plus b.")
	})
	ts.url = clientURL(conn)
	return ts
}

func TestOptionsAnywhere(t *testing.T) {
	host := startServer(t).url
	tests := []struct {
		args []string
		out  string
	}{
		{[]string{host, "--json", "status"}, "\"ok\"\n"},
		{[]string{host, "status", "--json"}, "\"ok\"\n"},
		{[]string{"--json", host, "status"}, "\"ok\"\n"},
		{[]string{"--json=true", host, "status"}, "\"ok\"\n"},
		{[]string{"--json", "--no-json", host, "status"}, host + ": status> ok\n"},
		{[]string{"--json", host, "status", "--json=false"}, host + ": status> ok\n"},
		{[]string{"--timeout=2s", host, "status"}, host + ": status> ok\n"},
		{[]string{host, "--timeout", "2s", "status"}, host + ": status> ok\n"},
		{[]string{host, "status", "--timeout", "2s"}, host + ": status> ok\n"},
		{[]string{"--no-debug", host, "status"}, host + ": status> ok\n"},
		{[]string{host, "multiply", "--json", "-3", "2"}, "-6\n"},
		{[]string{host, "show", "--json", "--extra"}, "[\"Basic\",\"Extra!!\"]\n"},
		{[]string{host, "do_something", "--", "--json"}, host + ": do_something> did --json\n"},
		{[]string{"--", host, "status"}, host + ": status> ok\n"},
		{[]string{host, "--", "multiply", "-3", "2"}, host + ": multiply> -6\n"},
		{[]string{host, "do_something", "-"}, host + ": do_something> did -\n"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", tt.args...)
		if code != ExitOK || out != tt.out {
			t.Errorf("engineer %q = %d %q (stderr %q); want 0 %q", tt.args, code, out, errOut, tt.out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	host := startServer(t).url
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--timeout=abc", host, "status"}, `option --timeout: "abc" is not a positive duration`},
		{[]string{host, "status", "--timeout"}, "option --timeout needs a value"},
		{[]string{"--timeout=-1s", host, "status"}, "option --timeout"},
		{[]string{"--no-timeout", host, "status"}, "unknown option --no-timeout"},
		{[]string{"--json=maybe", host, "status"}, `option --json: "maybe" is not true or false`},
		{[]string{"--debug=", host, "status"}, "option --debug"},
		{[]string{"--encoding=xml", host, "status"}, "option --encoding"},
		{[]string{host, "show", "--extra=maybe"}, "option --extra"},
		{[]string{host, "status", "--bogus"}, "status: --bogus is not an option"},
		{[]string{host, "multiply", "7", "x"}, `argument B: "x" is not an int`},
		{[]string{"--curve-server-key", "x", host, "status"}, "unknown option --curve-server-key"},
		{[]string{"completion"}, "completion"},
		{[]string{"completion", "tcsh"}, "tcsh"},
		{[]string{"demo", "extra"}, `demo takes no argument, not "extra"`},
		{[]string{host, "help", "nosuch"}, `has no command "nosuch"`},
		{[]string{host, "describe"}, "describe: missing METHOD"},
		{[]string{host, "call"}, "call: missing METHOD"},
		{[]string{host, "call", "add", "--kw", "a"}, `option --kw: "a" is not NAME=VALUE`},
		{[]string{host, "shell", "now"}, `shell takes no argument, not "now"`},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", tt.args...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("engineer %q = %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out, errOut, ExitUsage, tt.want)
		}
		if !strings.Contains(errOut, "Run 'engineer --help'") {
			t.Errorf("engineer %q: stderr %q does not say where the usage is", tt.args, errOut)
		}
	}
}

// TestOnlyWhatTheBuildHas checks that a build without CURVE does not
// offer its options, and one with it does.
func TestOnlyWhatTheBuildHas(t *testing.T) {
	code, out, _ := run(t, "", "--help")
	if code != ExitOK || strings.Contains(out, "curve") {
		t.Errorf("--help without CURVE = %d and mentions it:\n%s", code, out)
	}
	var b strings.Builder
	env := Env{Stdin: strings.NewReader(""), Stdout: &b, Stderr: &b,
		Curve: func(string, string, string) (zmtp.Mechanism, error) { return nil, errors.New("unused") }}
	if code := Main(context.Background(), []string{"--help"}, env); code != ExitOK || !strings.Contains(b.String(), "--curve-server-key") {
		t.Errorf("--help with CURVE = %d and lacks --curve-server-key:\n%s", code, b.String())
	}
}

func TestTimeoutText(t *testing.T) {
	ts := startServer(t)
	want := "no answer from " + ts.url + " within 200ms"
	code, _, errOut := run(t, "", "--timeout", "200ms", ts.url, "slow")
	if code != ExitFailure || !strings.Contains(errOut, want) {
		t.Errorf("one-shot: %d %q, want %d and %q", code, errOut, ExitFailure, want)
	}
	code, _, errOut = run(t, "slow\nstatus\n", "--timeout", "200ms", ts.url, "shell")
	if code != ExitFailure || !strings.Contains(errOut, want) || strings.Contains(errOut, "deadline exceeded") {
		t.Errorf("shell: %d %q, want %d and %q", code, errOut, ExitFailure, want)
	}
	code, out, _ := run(t, "", "--json", "--timeout", "200ms", ts.url, "call", "add", "1", "2")
	if code != ExitOK || out != "3\n" {
		t.Errorf("call after the slow ones = %d %q", code, out)
	}
}

func TestJSONErrors(t *testing.T) {
	host := startServer(t).url
	tests := []struct {
		args       []string
		code       int
		kind, text string
	}{
		{[]string{"--json", host, "explode"}, ExitFailure, "failure", "kaboom"},
		{[]string{"--json", host, "nosuch"}, ExitUsage, "usage", `has no command "nosuch"`},
		{[]string{"--json", host, "multiply", "7"}, ExitUsage, "usage", "missing argument B"},
		{[]string{"--json", "--timeout=x", host, "status"}, ExitUsage, "usage", "option --timeout"},
		{[]string{"--json", "zmq://127.0.0.1:1/req", "status"}, ExitFailure, "unreachable", "connection refused"},
		{[]string{"--json", "--timeout", "200ms", host, "slow"}, ExitFailure, "timeout", "no answer from"},
		{[]string{"--json", host, "call", "nosuch"}, ExitFailure, "failure", "not exposed"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", tt.args...)
		var doc struct {
			Error struct{ Message, Kind string }
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || strings.Count(out, "\n") != 1 {
			t.Errorf("engineer %q printed %q, not one JSON document: %v", tt.args, out, err)
			continue
		}
		if code != tt.code || doc.Error.Kind != tt.kind || !strings.Contains(doc.Error.Message, tt.text) || errOut != "" {
			t.Errorf("engineer %q = %d %q, stderr %q; want %d, kind %q, message with %q", tt.args, code, out, errOut, tt.code, tt.kind, tt.text)
		}
	}
	// Help and versions are JSON too.
	for _, args := range [][]string{{"--json", "--help"}, {"--json", host, "--help"}, {"--json", host, "show", "--help"}, {"--json", "--version"}} {
		code, out, _ := run(t, "", args...)
		if !json.Valid([]byte(out)) || code != ExitOK {
			t.Errorf("engineer %q = %d %q, not JSON", args, code, out)
		}
	}
}

func TestHostHelp(t *testing.T) {
	host := startServer(t).url
	_, viaOption, _ := run(t, "", host, "--help")
	code, viaCommand, _ := run(t, "", host, "help")
	if code != ExitOK || viaCommand != viaOption || !strings.Contains(viaCommand, "  shell ") {
		t.Errorf("HOST help = %d\n%s\nwant what HOST --help prints:\n%s", code, viaCommand, viaOption)
	}
	_, viaOption, _ = run(t, "", host, "show", "--help")
	code, viaCommand, _ = run(t, "", host, "help", "show")
	if code != ExitOK || viaCommand != viaOption || !strings.Contains(viaCommand, "--extra / --no-extra") {
		t.Errorf("HOST help show = %d\n%s\nwant what HOST show --help prints:\n%s", code, viaCommand, viaOption)
	}
	// --help wins over what the line lacks.
	if code, out, _ := run(t, "", host, "multiply", "x", "--help"); code != ExitOK || !strings.Contains(out, "multiply A B") {
		t.Errorf("multiply x --help = %d %q", code, out)
	}
}

// TestRoundTrips counts the replies --debug shows: a one-shot command
// asks only for its own description, as the original does; the host's
// help asks for them all.
func TestRoundTrips(t *testing.T) {
	ts := startServer(t)
	tests := []struct {
		args    []string
		replies int
	}{
		// client id, widget, the command's description, the call
		{[]string{"--debug", ts.url, "status"}, 4},
		// client id, widget, the description
		{[]string{"--debug", ts.url, "show", "--help"}, 3},
		// client id, widget, the list, one description per command
		{[]string{"--debug", ts.url, "--help"}, 3 + len(DemoCommands()) + 2},
		// client id, the call: no widget
		{[]string{"--debug", ts.url, "call", "add", "1", "2"}, 2},
		// the shell learns the table once
		{[]string{"--debug", ts.url, "shell"}, 3 + len(DemoCommands()) + 2 + 3},
	}
	for _, tt := range tests {
		stdin := ""
		if tt.args[len(tt.args)-1] == "shell" {
			stdin = "help\nstatus\nmultiply 6 7\nshow --extra\n"
		}
		code, _, errOut := run(t, stdin, tt.args...)
		if got := strings.Count(errOut, "debug: reply"); code != ExitOK || got != tt.replies {
			t.Errorf("engineer %q = %d with %d replies, want %d:\n%s", tt.args, code, got, tt.replies, errOut)
		}
	}
}

func TestMethods(t *testing.T) {
	host := startServer(t).url
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{host, "methods"}, ExitOK, "add(a int, b int) int\n    Add returns a plus b.\n", ""},
		{[]string{host, "describe", "add"}, ExitOK, "add(a int, b int) int\n\n  Add returns a plus b.\n", ""},
		{[]string{"--json", host, "describe", "add"}, ExitOK, `"name":"add"`, ""},
		{[]string{host, "describe", "nosuch"}, ExitFailure, "", "nosuch"},
		{[]string{host, "call", "add", "2", "40"}, ExitOK, host + ": add> 42\n", ""},
		{[]string{host, "call", "add", "--kw", "a=2", "--kw=b=40"}, ExitOK, host + ": add> 42\n", ""},
		{[]string{"--json", host, "call", "add", "2", "40"}, ExitOK, "42\n", ""},
		{[]string{host, "call", "add", "2", "x"}, ExitFailure, "", "add"},
		{[]string{host, "call", "add", "--help"}, ExitOK, "Usage: engineer " + host + " call METHOD", ""},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
			t.Errorf("engineer %q = %d\nstdout %q\nstderr %q\nwant %d, %q, %q", tt.args, code, out, errOut, tt.code, tt.out, tt.err)
		}
	}
}

func TestJSONValues(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"42", int64(42)},
		{"-3", int64(-3)},
		{"2.5", 2.5},
		{"1e3", 1000.0},
		{"true", true},
		{"null", nil},
		{`"7"`, "7"},
		{"[1, 2]", []any{int64(1), int64(2)}},
		{`{"a": [1.5]}`, map[string]any{"a": []any{1.5}}},
		{"hello", "hello"},
		{"1 2", "1 2"},
		{"[1,", "[1,"},
		{"", ""},
		{"99999999999999999999", 1e20},
	}
	for _, tt := range tests {
		if got := jsonValue(tt.in); !equalJSON(got, tt.want) {
			t.Errorf("jsonValue(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y) && typeName(a) == typeName(b)
}

func typeName(v any) string {
	switch v.(type) {
	case int64:
		return "int"
	case float64:
		return "float"
	}
	return ""
}

func TestServeDemoRefusesAClient(t *testing.T) {
	code, _, errOut := run(t, "", "demo", "--serve", "zmq://127.0.0.1:0/req")
	if code != ExitUsage || !strings.Contains(errOut, "--serve takes the URL the server listens at") || !strings.Contains(errOut, "req is a client's") {
		t.Errorf("demo --serve /req = %d %q", code, errOut)
	}
}

func TestScript(t *testing.T) {
	host := startServer(t).url
	script := "status\nexplode\nmultiply 6 7\n"
	code, out, _ := run(t, script, host, "shell")
	if code != ExitFailure || !strings.Contains(out, "multiply> 42") {
		t.Errorf("a script with a failure = %d %q; want %d and every command run", code, out, ExitFailure)
	}
	code, out, _ = run(t, script, "--exit-on-error", host, "shell")
	if code != ExitFailure || strings.Contains(out, "multiply") || !strings.Contains(out, "status> ok") {
		t.Errorf("--exit-on-error = %d %q; want %d and a stop after explode", code, out, ExitFailure)
	}
	code, _, _ = run(t, "status\n# a comment\n\nquit\nexplode\n", host, "shell")
	if code != ExitOK {
		t.Errorf("a script whose commands succeed = %d", code)
	}
	// A line's options are the line's alone.
	code, out, _ = run(t, "--json status\nstatus\n", host, "shell")
	if code != ExitOK || out != "\"ok\"\n"+host+": status> ok\n" {
		t.Errorf("options on a line = %d %q", code, out)
	}
}

// serveAt serves cmds at url, on an rpc server that setup, when given,
// prepares first, until the test ends or the returned connection closes.
func serveAt(t *testing.T, url string, cmds []Command, setup func(*rpc.Server) error) *xbahn.Conn {
	t.Helper()
	conn, err := xbahn.Listen(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	server, err := rpc.NewServer(nil)
	if err == nil && setup != nil {
		err = setup(server)
	}
	var host *widget.Host
	if err == nil {
		host, err = widget.NewHost(server, nil)
	}
	if err == nil {
		err = Serve(host, cmds)
	}
	if err == nil {
		err = server.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	}
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// lines reads r line by line onto a channel, closed at the end.
func linesOf(r io.Reader) <-chan string {
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

func nextLine(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-ch:
		if !ok {
			t.Fatal("the output ended")
		}
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no output within 10s")
	}
	return ""
}

// TestShellAfterRestart checks that the shell learns the commands of a
// server that restarted with others.
func TestShellAfterRestart(t *testing.T) {
	port := freePort(t)
	serve := fmt.Sprintf("zmq://127.0.0.1:%d/rep", port)
	host := fmt.Sprintf("zmq://127.0.0.1:%d/req", port)
	answer := func(name string) Command {
		return Command{Name: name, Run: func(context.Context, Values) (any, error) { return name + "!", nil }}
	}
	first := serveAt(t, serve, []Command{answer("alpha")}, nil)

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main(context.Background(), []string{host, "shell"}, Env{Stdin: inR, Stdout: outW, Stderr: outW})
		outW.Close()
	}()
	out := linesOf(outR)
	fmt.Fprintln(inW, "alpha")
	if got, want := nextLine(t, out), host+": alpha> alpha!"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	first.Close()
	serveAt(t, serve, []Command{answer("beta")}, nil)
	fmt.Fprintln(inW, "beta")
	if got, want := nextLine(t, out), host+": beta> beta!"; got != want {
		t.Fatalf("after the restart: got %q, want %q", got, want)
	}
	fmt.Fprintln(inW, "--json help")
	if got := nextLine(t, out); !strings.Contains(got, `"beta"`) || strings.Contains(got, "alpha") {
		t.Errorf("help after the restart lists %s", got)
	}
	inW.Close()
	if code := <-done; code != ExitOK {
		t.Errorf("shell = %d", code)
	}
}

// freePort is a loopback TCP port nobody listens at.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestHelpAndVersionAnywhere checks that --help and --version hold
// wherever they are on the line, before what the line lacks.
func TestHelpAndVersionAnywhere(t *testing.T) {
	host := startServer(t).url
	version := "engineer, version " + Version() + "\n"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{host, "status", "--version"}, version},
		{[]string{host, "--version"}, version},
		{[]string{"demo", "--version"}, version},
		{[]string{"demo", "--help"}, "Usage: engineer demo [--serve URL]"},
		{[]string{"--help", "demo"}, "Usage: engineer demo [--serve URL]"},
		{[]string{"completion", "--help"}, "Usage: engineer completion bash|zsh|fish"},
		{[]string{"--help", "completion", "bash"}, "Usage: engineer completion"},
		{[]string{host, "methods", "--help"}, "Usage: engineer " + host + " methods\n"},
		{[]string{host, "describe", "--help"}, "Usage: engineer " + host + " describe METHOD"},
		{[]string{host, "call", "--help"}, "Usage: engineer " + host + " call METHOD"},
		{[]string{host, "shell", "--help"}, "Usage: engineer " + host + " shell"},
		{[]string{"--help", host, "shell"}, "Usage: engineer " + host + " shell"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "status\n", tt.args...)
		if code != ExitOK || !strings.HasPrefix(out, tt.want) {
			t.Errorf("engineer %q = %d %q (stderr %q), want 0 and %q", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestShellLines(t *testing.T) {
	host := startServer(t).url
	tests := []struct {
		line, out, err string
		code           int
	}{
		{"status --key x", "", "option --key shapes the connection: give it when the shell starts", ExitFailure},
		{"--user u status", "", "option --user shapes the connection", ExitFailure},
		{"show --help", "Usage: engineer " + host + " show [OPTIONS]", "", ExitOK},
		{"call --help", "Usage: engineer " + host + " call METHOD", "", ExitOK},
		{"--version", "engineer, version", "", ExitOK},
		{"--json", `"commands"`, "", ExitOK},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, tt.line+"\n", "--json=false", host, "shell")
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
			t.Errorf("shell line %q: %d, stdout %q, stderr %q; want %d, %q, %q", tt.line, code, out, errOut, tt.code, tt.out, tt.err)
		}
	}
	// Under --json, the shell's own errors are JSON too.
	code, out, errOut := run(t, "do_something 'x\nshell\n", "--json", host, "shell")
	if code != ExitFailure || errOut != "" || strings.Count(out, `"kind":"usage"`) != 2 {
		t.Errorf("--json shell: %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestShellCompletion(t *testing.T) {
	ts := startServer(t)
	code, _, _ := run(t, "", ts.url, "status") // the server is up
	if code != ExitOK {
		t.Fatal(code)
	}
	c := &cli{io: Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}}
	c.defaults()
	s, err := c.open(context.Background(), ts.url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	tests := []struct {
		line      string
		start     int
		wantFirst string
	}{
		{"sta", 0, "status"},
		{"--timeout 3s sta", 13, "status"},
		{"--json mu", 7, "multiply"},
		{"show --ext", 5, "--extra"},
		{"--timeout ", 10, ""},
		{"call 'ad'd", 10, ""},
		{"call ad", 5, "add"},
		{"q", 0, "quit"},
	}
	for _, tt := range tests {
		start, cands := s.completeLine(context.Background(), tt.line)
		first := ""
		if len(cands) > 0 {
			first = cands[0]
		}
		if start != tt.start || first != tt.wantFirst {
			t.Errorf("completing %q: %d %q, want %d and first %q", tt.line, start, cands, tt.start, tt.wantFirst)
		}
	}
	if c.json || c.timeout != defaultTimeout {
		t.Error("completing a line applied its options to the shell")
	}
}

func TestDemoOptions(t *testing.T) {
	code, out, errOut := run(t, "", "--json", "demo")
	if code != ExitOK || !strings.Contains(out, "status --json\n\"ok\"\n") {
		t.Errorf("--json demo = %d %q (stderr %q)", code, out, errOut)
	}
}
