//go:build unix

package engineer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestWebInBrowser drives the console in a headless Chromium against a
// demo server: the page lists the commands, a form filled and run shows
// the result, a wrong value and a failing command show their errors in
// red, the history keeps the calls newest first and fills a form again.
// On a failure it saves a screenshot in $XBAHN_ARTIFACTS, or else in a
// directory of the test.
func TestWebInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test starts Chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	devtools := startChromium(ctx, t)
	host := startServer(t).url
	console := startWeb(t, "web", host)
	c := dialCDP(ctx, t, devtools)
	p := c.openPage(t, console)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		dir := os.Getenv("XBAHN_ARTIFACTS")
		if dir == "" {
			dir = t.TempDir()
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		var text string
		if err := p.eval("document.body.innerText", &text); err == nil {
			t.Logf("the page's text:\n%s", text)
		}
		path, err := p.screenshot(dir, strings.ReplaceAll(t.Name(), "/", "_"))
		if err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		t.Logf("screenshot of the page: %s", path)
	})

	p.waitFor("the page to list the commands", `document.body.dataset.ready === "true"`)
	var got string
	p.mustEval(`document.getElementById("host").textContent`, &got)
	if got != host {
		t.Errorf("the page's host %q, want %q", got, host)
	}
	p.mustEval(`[...document.querySelectorAll("section.command h2")].map(e => e.textContent).join(" ")`, &got)
	if want := "do_something explode multiply show slow status"; got != want {
		t.Errorf("the page lists %q, want %q", got, want)
	}
	p.mustEval(`[...document.querySelectorAll("#cmd-multiply label")].map(e => e.textContent).join(" ")`, &got)
	if want := "Aint* Bint*"; got != want {
		t.Errorf("multiply's labels %q, want %q (the arguments, typed and required)", got, want)
	}

	const red = "rgb(179, 38, 30)"
	tests := []struct {
		name   string
		cmd    string
		fill   map[string]string // the inputs to type into, by name
		check  []string          // the checkboxes to click
		state  string            // "ok" or "error"
		text   string            // of the output
		line   string            // the command line it shows, after "$ engineer HOST "
		color  string            // the output's, when it matters
		recent string            // the top line of the history
	}{
		{name: "multiply", cmd: "multiply", fill: map[string]string{"a": "7", "b": "6"},
			state: "ok", text: "42", line: "multiply 7 6", recent: `multiply a="7" b="6"`},
		{name: "a wrong value", cmd: "multiply", fill: map[string]string{"b": "x"},
			state: "error", text: `multiply: argument B: "x" is not an int`, color: red, recent: `multiply a="7" b="x"`},
		{name: "a failing command", cmd: "explode",
			state: "error", text: "kaboom", color: red, recent: "explode"},
		{name: "an option", cmd: "show", check: []string{"extra"},
			state: "ok", text: "[\n  \"Basic\",\n  \"Extra!!\"\n]", line: "show --extra", recent: "show extra=true"},
		{name: "text", cmd: "do_something", fill: map[string]string{"what": "say <b>hello</b>"},
			state: "ok", text: `"did say <b>hello</b>"`, line: "do_something 'say <b>hello</b>'", recent: `do_something what="say <b>hello</b>"`},
	}
	for _, tt := range tests {
		out := "#cmd-" + tt.cmd + " .output"
		p.mustEval(fmt.Sprintf(`delete document.querySelector(%q).dataset.state`, out), nil)
		for name, text := range tt.fill {
			p.typeInto(fmt.Sprintf("#cmd-%s-%s", tt.cmd, name), text)
		}
		for _, name := range tt.check {
			p.click(fmt.Sprintf("#cmd-%s-%s", tt.cmd, name))
		}
		p.click("#cmd-" + tt.cmd + " button")
		p.waitFor(tt.name+"'s output", fmt.Sprintf(`["ok", "error"].includes(document.querySelector(%q).dataset.state)`, out))
		var shown struct{ State, Text, Line, Color, Recent string }
		p.mustEval(fmt.Sprintf(`(() => {
			const o = document.querySelector(%q);
			const line = o.querySelector(".line");
			const top = document.querySelector("#history li");
			return {state: o.dataset.state, text: o.querySelector(".text").textContent,
				line: line ? line.textContent : "", color: getComputedStyle(o).color,
				recent: top ? top.firstChild.textContent : ""};
		})()`, out), &shown)
		wantLine := ""
		if tt.line != "" {
			wantLine = "$ engineer " + host + " " + tt.line
		}
		if shown.State != tt.state || !strings.Contains(shown.Text, tt.text) || shown.Line != wantLine || shown.Recent != tt.recent {
			t.Errorf("%s: the page shows %s %q, line %q, history %q\nwant %s %q, line %q, history %q",
				tt.name, shown.State, shown.Text, shown.Line, shown.Recent, tt.state, tt.text, wantLine, tt.recent)
		}
		if tt.color != "" && shown.Color != tt.color {
			t.Errorf("%s: the output's color %s, want %s", tt.name, shown.Color, tt.color)
		}
	}

	// The history, newest first; a click on a call fills its form again.
	var history []string
	p.mustEval(`[...document.querySelectorAll("#history li")].map(e => e.dataset.command)`, &history)
	if got, want := strings.Join(history, " "), "do_something show explode multiply multiply"; got != want {
		t.Errorf("the history %q, want %q", got, want)
	}
	p.click("#history li:nth-child(5)") // the first multiply
	var values []string
	p.mustEval(`[...document.querySelectorAll("#cmd-multiply input")].map(e => e.value)`, &values)
	if got, want := jsonOf(values), `["7","6"]`; got != want {
		t.Errorf("multiply's form after a click on its first call: %s, want %s", got, want)
	}
	p.click("#history li:nth-child(2)") // show --extra
	var checked bool
	p.mustEval(`document.getElementById("cmd-show-extra").checked`, &checked)
	if !checked {
		t.Error("show's --extra is not checked after a click on the call that had it")
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
