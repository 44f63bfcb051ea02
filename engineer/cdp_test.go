//go:build unix

package engineer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/internal/ws"
)

// A headless Chromium for the browser tests, driven over the Chrome
// DevTools Protocol: JSON commands and their answers as WebSocket text
// messages, one command at a time.

// chromiumPath returns the Chromium to run: $XBAHN_CHROMIUM, or the first
// of the usual names on PATH. Without one the test skips, but fails under
// CI=true, which must run it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("XBAHN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("the browser test needs Chromium under CI (apt-get install chromium, or set XBAHN_CHROMIUM)")
	}
	t.Skip("no Chromium to run the browser test: apt-get install chromium, or set XBAHN_CHROMIUM")
	return ""
}

// devtoolsWriter is Chromium's standard error: it keeps the text, for a
// failure, and gives the DevTools URL once it is printed.
type devtoolsWriter struct {
	mu   sync.Mutex
	text bytes.Buffer
	url  chan string
	sent bool
}

func (w *devtoolsWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.text.Len() < 1<<20 {
		w.text.Write(p)
	}
	if !w.sent {
		const prefix = "DevTools listening on "
		text := w.text.String()
		if i := strings.Index(text, prefix); i >= 0 {
			if line, _, ok := strings.Cut(text[i+len(prefix):], "\n"); ok {
				w.url <- strings.TrimSpace(line)
				w.sent = true
			}
		}
	}
	return len(p), nil
}

func (w *devtoolsWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.text.String()
}

// startChromium starts a headless Chromium with a profile of its own and
// returns its DevTools WebSocket URL; it is killed, with the processes it
// started, when the test ends.
func startChromium(ctx context.Context, t *testing.T) string {
	t.Helper()
	path := chromiumPath(t)
	profile := t.TempDir()
	cmd := exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-proxy-server", "--window-size=1280,900",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "about:blank")
	stderr := &devtoolsWriter{url: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers die with it
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("starting %s: %v", path, err)
		}
		t.Skipf("cannot start %s: %v", path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its process group
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Errorf("chromium (pid %d) did not exit 10s after it was killed", cmd.Process.Pid)
		}
	})
	select {
	case u := <-stderr.url:
		return u
	case err := <-exited:
		t.Fatalf("chromium exited before it listened: %v\n%s", err, stderr)
	case <-ctx.Done():
		t.Fatalf("chromium did not say where it listens before the test's deadline:\n%s", stderr)
	}
	return ""
}

// cdp is a connection to Chromium's DevTools, commands sent one at a
// time within the context it was made with.
type cdp struct {
	ctx  context.Context
	conn *ws.Conn
	buf  []byte
	id   int
}

// dialCDP connects to the DevTools WebSocket at u.
func dialCDP(ctx context.Context, t *testing.T, u string) *cdp {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "ws" {
		t.Fatalf("DevTools URL %q: not ws://: %v", u, err)
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", pu.Host)
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := ws.Client(ctx, nc, pu.Host, pu.RequestURI(), nil, 64<<20)
	if err != nil {
		t.Fatalf("DevTools handshake: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &cdp{ctx: ctx, conn: conn}
}

// cdpError is an error answer of DevTools.
type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *cdpError) Error() string { return fmt.Sprintf("devtools: %s (%d)", e.Message, e.Code) }

// call sends method with params to the target attached as session ("":
// the browser) and decodes its result into result, when not nil. Events
// that come before the answer are dropped.
func (c *cdp) call(session, method string, params, result any) error {
	if dl, ok := c.ctx.Deadline(); ok {
		c.conn.NetConn().SetDeadline(dl)
	}
	c.id++
	msg := map[string]any{"id": c.id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if err := c.conn.WriteMessage(ws.OpText, b); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	for {
		var data []byte
		_, data, err = c.conn.ReadMessage(c.buf)
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		c.buf = data
		var answer struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *cdpError       `json:"error"`
		}
		if err := json.Unmarshal(data, &answer); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		switch {
		case answer.ID != c.id:
			continue // an event
		case answer.Error != nil:
			return fmt.Errorf("%s: %w", method, answer.Error)
		case result != nil:
			return json.Unmarshal(answer.Result, result)
		}
		return nil
	}
}

// page is a tab of the browser, attached to the cdp connection.
type page struct {
	t       *testing.T
	c       *cdp
	session string
}

// openPage opens u in a new tab.
func (c *cdp) openPage(t *testing.T, u string) *page {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := c.call("", "Target.createTarget", map[string]any{"url": u}, &target); err != nil {
		t.Fatal(err)
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		t.Fatal(err)
	}
	return &page{t: t, c: c, session: attached.SessionID}
}

// eval evaluates the JavaScript expression js in the page, awaiting a
// promise, and decodes its value into v, when not nil.
func (p *page) eval(js string, v any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.c.call(p.session, "Runtime.evaluate", map[string]any{"expression": js, "returnByValue": true, "awaitPromise": true}, &r)
	switch {
	case err != nil:
		return err
	case r.ExceptionDetails != nil:
		return fmt.Errorf("%s: %s %s", js, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	case v != nil:
		if len(r.Result.Value) == 0 {
			return fmt.Errorf("%s: no value", js)
		}
		return json.Unmarshal(r.Result.Value, v)
	}
	return nil
}

// mustEval is eval, failing the test on an error.
func (p *page) mustEval(js string, v any) {
	p.t.Helper()
	if err := p.eval(js, v); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor polls the JavaScript condition js until it is true, within the
// test's deadline.
func (p *page) waitFor(what, js string) {
	p.t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var ok bool
		err := p.eval("Boolean("+js+")", &ok)
		if err == nil && ok {
			return
		}
		select {
		case <-p.c.ctx.Done():
			p.t.Fatalf("waited until the deadline for %s (%s); last error %v", what, js, err)
		case <-tick.C:
		}
	}
}

// click clicks the middle of the element that the CSS selector sel
// selects, as a mouse does, after scrolling it into view.
func (p *page) click(sel string) {
	p.t.Helper()
	var box struct{ X, Y float64 }
	p.mustEval(fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 2};
	})()`, sel), &box)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		err := p.c.call(p.session, "Input.dispatchMouseEvent", map[string]any{
			"type": typ, "x": box.X, "y": box.Y, "button": "left", "clickCount": 1}, nil)
		if err != nil {
			p.t.Fatal(err)
		}
	}
}

// typeInto replaces the text of the input that sel selects with text,
// typed as a keyboard does.
func (p *page) typeInto(sel, text string) {
	p.t.Helper()
	p.mustEval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select(); return true; })()`, sel), nil)
	if err := p.c.call(p.session, "Input.insertText", map[string]any{"text": text}, nil); err != nil {
		p.t.Fatal(err)
	}
}

// screenshot saves a PNG of the page in dir and returns its path.
func (p *page) screenshot(dir, name string) (string, error) {
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON
	}
	if err := p.c.call(p.session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &shot); err != nil {
		return "", err
	}
	if len(shot.Data) == 0 {
		return "", errors.New("an empty screenshot")
	}
	path := dir + "/" + name + ".png"
	return path, os.WriteFile(path, shot.Data, 0o644)
}
