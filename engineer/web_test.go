package engineer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWebUsage(t *testing.T) {
	host := startDemo(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		args     []string
		code     int
		out, err string // in stdout, in stderr
	}{
		{[]string{"--help"}, 0, "engineer web [--listen ADDR] HOST", ""},
		{[]string{"web", "--help"}, 0, "Usage: engineer web [--listen ADDR] HOST\n\n  serve a console of HOST's commands to a browser\n", ""},
		{[]string{"web", host, "-h"}, 0, "Usage: engineer web [--listen ADDR] HOST", ""},
		{[]string{"web"}, 2, "", "web: missing HOST; usage: engineer web [--listen ADDR] HOST"},
		{[]string{"web", host, host}, 2, "", `web takes one HOST, not also "` + host + `"`},
		{[]string{"web", "--listen", host}, 2, "", "web: missing HOST"},
		{[]string{"web", host, "--listen"}, 2, "", "option --listen needs a value"},
		{[]string{"web", "--listen", "8080", host}, 2, "", `option --listen: "8080" is not HOST:PORT, such as 127.0.0.1:8080`},
		{[]string{"web", "--loud", host}, 2, "", "unknown option --loud"},
		{[]string{"web", "--timeout=x", host}, 2, "", `option --timeout: "x" is not a positive duration`},
		{[]string{"web", "--timeout=1h", "zmq://127.0.0.1:1/req"}, 1, "", "cannot reach zmq://127.0.0.1:1/req"},
		{[]string{"web", "--listen", busy.Addr().String(), host}, 1, "", "web: listen tcp " + busy.Addr().String() + ": bind: address already in use"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
			t.Errorf("engineer %q = %d\nstdout %q\nstderr %q\nwant %d, stdout with %q, stderr with %q",
				tt.args, code, out, errOut, tt.code, tt.out, tt.err)
		}
	}
}

// startWeb runs "engineer ARGS..." in process, which must be a web
// command, until the test ends, and returns the URL it serves.
func startWeb(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	var errOut strings.Builder
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, args, Env{Stdin: strings.NewReader(""), Stdout: outW, Stderr: &errOut})
		outW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-code:
			if c != ExitOK {
				t.Errorf("engineer %q = %d after its context ended, want 0", args, c)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("engineer %q still serves 10s after its context ended", args)
		}
	})
	line := nextLine(t, linesOf(outR))
	url, ok := strings.CutPrefix(line, "serving ")
	var doc struct{ Serving string }
	if !ok && json.Unmarshal([]byte(line), &doc) == nil && doc.Serving != "" { // --json
		url, ok = doc.Serving, true
	}
	if !ok {
		t.Fatalf("engineer %q printed %q first, want serving URL", args, line)
	}
	return url
}

func TestWebServes(t *testing.T) {
	host := startServer(t).url
	port := freePort(t)
	tests := []struct {
		args []string
		want string // the URL's start
	}{
		{[]string{"web", host}, "http://127.0.0.1:"},
		{[]string{"web", "--listen", fmt.Sprintf("127.0.0.1:%d", port), host}, fmt.Sprintf("http://127.0.0.1:%d/", port)},
		{[]string{"--timeout=2s", "web", host, "--listen=localhost:0"}, "http://127.0.0.1:"},
		{[]string{"--json", "web", host}, "http://127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:len(tt.args)-1], " "), func(t *testing.T) {
			url := startWeb(t, tt.args...)
			if !strings.HasPrefix(url, tt.want) || !strings.HasSuffix(url, "/") {
				t.Errorf("serving %q, want a URL that starts %q", url, tt.want)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", url+"api/call", strings.NewReader(`{"command":"multiply","args":{"a":"7","b":"6"}}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if got, want := string(body), `{"line":"engineer `+host+` multiply 7 6","result":42}`+"\n"; resp.StatusCode != 200 || got != want {
				t.Errorf("a call = %d %q, want 200 %q", resp.StatusCode, got, want)
			}
		})
	}
}
