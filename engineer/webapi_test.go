package engineer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// startWebConsole serves the console of host on a loopback test server,
// with the command line's timeout, or d when it is not zero, and returns
// the console's URL.
func startWebConsole(t *testing.T, host string, d time.Duration) string {
	t.Helper()
	c := &cli{io: Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}}
	c.defaults()
	if d != 0 {
		c.timeout = d
	}
	s, err := c.open(context.Background(), host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	srv := httptest.NewServer(c.webHandler(s))
	t.Cleanup(srv.Close)
	return srv.URL
}

// webDo sends a request to the console and returns its status and body.
func webDo(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), 15*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// postCall posts a call's body to the console as JSON.
func postCall(t *testing.T, base, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", base+"/api/call", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	status, _, b := webDo(t, req)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("POST %s: the answer %q is not JSON: %v", body, b, err)
	}
	return status, v
}

func TestWebCommands(t *testing.T) {
	host := startDemo(t)
	base := startWebConsole(t, host, 0)
	req, _ := http.NewRequest("GET", base+"/api/commands", nil)
	status, hdr, body := webDo(t, req)
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/commands = %d %s %s", status, hdr.Get("Content-Type"), body)
	}
	var got struct {
		Host     string       `json:"host"`
		Commands []webCommand `json:"commands"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Host != host {
		t.Errorf("host %q, want %q", got.Host, host)
	}
	var names []string
	byName := map[string]webCommand{}
	for _, c := range got.Commands {
		names = append(names, c.Name)
		byName[c.Name] = c
	}
	if got, want := strings.Join(names, " "), "do_something multiply show status"; got != want {
		t.Errorf("commands %q, want %q", got, want)
	}
	tests := []struct {
		name, got, want string
	}{
		{"multiply's description", byName["multiply"].Description, "Multiply A with B"},
		{"multiply's usage", byName["multiply"].Usage, "engineer " + host + " multiply A B"},
		{"multiply's arguments", jsonText(byName["multiply"].Args), `[{"name":"a","type":"int","help":""},{"name":"b","type":"int","help":""}]`},
		{"do_something's argument", jsonText(byName["do_something"].Args), `[{"name":"what","type":"string","help":"the task"}]`},
		{"show's options", jsonText(byName["show"].Options), `[{"name":"extra","flag":"--extra","type":"bool","default":false,"help":"include extra info"}]`},
		{"status's options", jsonText(byName["status"].Options), `[]`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestWebCall checks that a call through the console is the command
// line's: the same result or the same error as "engineer --json HOST
// WORDS...", and the line it shows makes it.
func TestWebCall(t *testing.T) {
	host := startServer(t).url
	base := startWebConsole(t, host, 0)
	tests := []struct {
		body   string
		words  []string // the command line's words after HOST
		status int
		line   string // after "engineer HOST "; "" for an error
	}{
		{`{"command":"multiply","args":{"a":"7","b":"6"}}`, []string{"multiply", "7", "6"}, 200, "multiply 7 6"},
		{`{"command":"multiply","args":{"b":-3,"a":7}}`, []string{"multiply", "7", "-3"}, 200, "multiply 7 -3"},
		{`{"command":"multiply","args":["7","6"]}`, []string{"multiply", "7", "6"}, 200, "multiply 7 6"},
		{`{"command":"status"}`, []string{"status"}, 200, "status"},
		{`{"command":"status","args":{}}`, []string{"status"}, 200, "status"},
		{`{"command":"show","args":{"extra":true}}`, []string{"show", "--extra"}, 200, "show --extra"},
		{`{"command":"show","args":{"extra":false}}`, []string{"show", "--no-extra"}, 200, "show --no-extra"},
		{`{"command":"show","args":{"extra":null}}`, []string{"show"}, 200, "show"},
		{`{"command":"show","args":["--extra"]}`, []string{"show", "--extra"}, 200, "show --extra"},
		{`{"command":"do_something","args":{"what":"--json"}}`, []string{"do_something", "--", "--json"}, 200, "do_something -- --json"},
		{`{"command":"do_something","args":{"what":""}}`, []string{"do_something", ""}, 200, "do_something ''"},
		{`{"command":"do_something","args":{"what":"<b>&"}}`, []string{"do_something", "<b>&"}, 200, "do_something '<b>&'"},
		// Errors, as the command line says them.
		{`{"command":"multiply","args":{"a":"7","b":"x"}}`, []string{"multiply", "7", "x"}, 400, ""},
		{`{"command":"multiply","args":{"a":"7"}}`, []string{"multiply", "7"}, 400, ""},
		{`{"command":"multiply","args":{"b":"6"}}`, []string{"multiply"}, 400, ""},
		{`{"command":"multiply","args":["7","6","5"]}`, []string{"multiply", "7", "6", "5"}, 400, ""},
		{`{"command":"multiply","args":{"a":"1.5","b":"2"}}`, []string{"multiply", "1.5", "2"}, 400, ""},
		{`{"command":"show","args":{"extra":"maybe"}}`, []string{"show", "--extra=maybe"}, 400, ""},
		{`{"command":"show","args":["--loud"]}`, []string{"show", "--loud"}, 400, ""},
		{`{"command":"nosuch","args":{}}`, []string{"nosuch"}, 400, ""},
		{`{"command":"explode"}`, []string{"explode"}, 502, ""},
	}
	for _, tt := range tests {
		status, got := postCall(t, base, tt.body)
		code, out, _ := run(t, "", append([]string{"--json", host}, tt.words...)...)
		var cli any
		if err := json.Unmarshal([]byte(out), &cli); err != nil {
			t.Fatalf("engineer --json %s %q printed %q: %v", host, tt.words, out, err)
		}
		want := map[string]any{"result": cli, "line": "engineer " + host + " " + tt.line}
		if code != ExitOK {
			want = cli.(map[string]any)
		}
		if status != tt.status || jsonText(got) != jsonText(want) {
			t.Errorf("POST %s = %d %s\nwant %d %s", tt.body, status, jsonText(got), tt.status, jsonText(want))
		}
	}
}

// TestWebCallErrors checks the calls that have no command line of their
// own.
func TestWebCallErrors(t *testing.T) {
	host := startDemo(t)
	base := startWebConsole(t, host, 0)
	tests := []struct {
		body   string
		status int
		want   string
	}{
		{`{"command":"multiply","args":{"a":"7","b":"6","c":"1"}}`, 400, `multiply has no argument or option "c"`},
		{`{"command":"multiply","args":{"a":[7],"b":"6"}}`, 400, `multiply: "a" is a list, not text, a number or true/false`},
		{`{"command":"multiply","args":["7",{}]}`, 400, "args[1] is an object, not a word"},
		{`{"command":"multiply","args":"7 6"}`, 400, "args is text, not an object or a list of words"},
		{`{"command":"status","args":1}`, 400, "args is a number, not an object or a list of words"},
	}
	for _, tt := range tests {
		status, got := postCall(t, base, tt.body)
		e, _ := got["error"].(map[string]any)
		if status != tt.status || e["message"] != tt.want || e["kind"] != "usage" {
			t.Errorf("POST %s = %d %s\nwant %d, a usage error %q", tt.body, status, jsonText(got), tt.status, tt.want)
		}
	}
}

// TestWebRefused checks the requests the console does not take: not a
// call, too large, from another site.
func TestWebRefused(t *testing.T) {
	host := startDemo(t)
	base := startWebConsole(t, host, 0)
	port := base[strings.LastIndex(base, ":")+1:]
	huge := `{"command":"do_something","args":{"what":"` + strings.Repeat("x", maxCallBody) + `"}}`
	call := `{"command":"status"}`
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		host                     string // the Host header, when not the test server's
		status                   int
		want                     string // in the body
	}{
		{"a call", "POST", "/api/call", call, nil, "", 200, `"result":"ok"`},
		{"not JSON", "POST", "/api/call", `{"command":`, nil, "", 400, "the body is not a call: unexpected EOF"},
		{"an unknown field", "POST", "/api/call", `{"command":"status","argz":{}}`, nil, "", 400, `unknown field \"argz\"`},
		{"two values", "POST", "/api/call", call + call, nil, "", 400, "the body is not a call: more after the JSON value"},
		{"trailing text", "POST", "/api/call", call + "x", nil, "", 400, "more after the JSON value"},
		{"no command", "POST", "/api/call", `{"args":{}}`, nil, "", 400, `the call names no \"command\"`},
		{"too large", "POST", "/api/call", huge, nil, "", 413, "the body is over 65536 bytes"},
		{"text/plain", "POST", "/api/call", call, map[string]string{"Content-Type": "text/plain"}, "", 415, `not \"text/plain\"`},
		{"a form", "POST", "/api/call", "command=status", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "", 415, "application/json"},
		{"no content type", "POST", "/api/call", call, map[string]string{"Content-Type": ""}, "", 415, "application/json"},
		{"charset", "POST", "/api/call", call, map[string]string{"Content-Type": "application/json; charset=utf-8"}, "", 200, `"result":"ok"`},
		{"GET of a call", "GET", "/api/call", "", nil, "", 405, "Method Not Allowed"},
		{"another site's page", "POST", "/api/call", call, map[string]string{"Sec-Fetch-Site": "cross-site"}, "", 403, "from another site"},
		{"another origin", "POST", "/api/call", call, map[string]string{"Origin": "http://evil.example"}, "", 403, "from another site"},
		{"its own origin", "POST", "/api/call", call, map[string]string{"Origin": base, "Sec-Fetch-Site": "same-origin"}, "", 200, `"result":"ok"`},
		{"a rebound name", "GET", "/api/commands", "", nil, "evil.example:" + port, 403, `not to \"evil.example:` + port + `\"`},
		{"a rebound name calling", "POST", "/api/call", call, nil, "evil.example", 403, "localhost or an IP address"},
		{"localhost", "GET", "/api/commands", "", nil, "localhost:" + port, 200, `"host":`},
		{"IPv6 loopback", "GET", "/api/commands", "", nil, "[::1]:" + port, 200, `"host":`},
		{"the page", "GET", "/", "", nil, "", 200, `<script src="console.js"`},
		{"its script", "GET", "/console.js", "", nil, "", 200, "api/call"},
		{"no such file", "GET", "/nosuch.js", "", nil, "", 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.method == "POST" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			status, hdr, body := webDo(t, req)
			if status != tt.status || !bytes.Contains(body, []byte(tt.want)) {
				t.Errorf("%s %s = %d %q, want %d with %q", tt.method, tt.path, status, body, tt.status, tt.want)
			}
			if got, want := hdr.Get("Content-Security-Policy"), "default-src 'self'"; !strings.HasPrefix(got, want) {
				t.Errorf("Content-Security-Policy %q, want it to start %q", got, want)
			}
		})
	}
}

// TestWebCallBounded checks that a call the host does not answer ends at
// the timeout, and one whose browser gives up is cancelled on the host.
func TestWebCallBounded(t *testing.T) {
	ts := startServer(t)
	base := startWebConsole(t, ts.url, 300*time.Millisecond)
	status, got := postCall(t, base, `{"command":"slow"}`)
	want := `{"error":{"kind":"timeout","message":"no answer from ` + ts.url + ` within 300ms"}}`
	if status != http.StatusGatewayTimeout || jsonText(got) != want {
		t.Errorf("a slow call = %d %s, want 504 %s", status, jsonText(got), want)
	}
	waitSignal(t, ts.started, "the slow call to start")
	waitSignal(t, ts.cancelled, "the slow call's context to end on the server at the timeout")

	base = startWebConsole(t, ts.url, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/call", strings.NewReader(`{"command":"slow"}`))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitSignal(t, ts.started, "the slow call to start")
	cancel()
	waitSignal(t, ts.cancelled, "the slow call to be cancelled on the server when its request went")
	if err := <-done; err == nil {
		t.Error("a cancelled request succeeded")
	}
}

func waitSignal(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for %s", what)
	}
}

// TestWebCallsAtOnce checks that calls the browser makes at once each get
// their own answer.
func TestWebCallsAtOnce(t *testing.T) {
	host := startDemo(t)
	base := startWebConsole(t, host, 0)
	const n = 16
	type answer struct {
		i      int
		status int
		result any
	}
	answers := make(chan answer, n)
	for i := range n {
		go func() {
			req, _ := http.NewRequest("POST", base+"/api/call", strings.NewReader(fmt.Sprintf(`{"command":"multiply","args":{"a":%d,"b":3}}`, i)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- answer{i: i}
				return
			}
			defer resp.Body.Close()
			var v map[string]any
			json.NewDecoder(resp.Body).Decode(&v)
			answers <- answer{i, resp.StatusCode, v["result"]}
		}()
	}
	for range n {
		select {
		case a := <-answers:
			if got, want := jsonText(a.result), fmt.Sprint(3*a.i); a.status != 200 || got != want {
				t.Errorf("multiply %d 3 = %d %s, want 200 %s", a.i, a.status, got, want)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("no answer within 15s")
		}
	}
}
