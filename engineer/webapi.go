package engineer

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"slices"
	"strconv"
)

// The console's HTTP API, which its page uses:
//
//	GET  /api/commands  the host's commands:
//	                    {"host", "commands": [{"name", "description",
//	                    "usage", "args": [{"name", "type", "help"}],
//	                    "options": [{"name", "flag", "type", "default",
//	                    "help"}]}]}; every argument is required.
//	POST /api/call      runs a command: {"command": NAME, "args": ...},
//	                    as application/json, at most maxCallBody bytes.
//	                    "args" is either an object of arguments and
//	                    options by name, each text, a number or true/false
//	                    (null or absent: not given), or a list of words as
//	                    the command line takes them after the command's
//	                    name. The answer is {"result", "line"}, line the
//	                    command line that makes the same call.
//
// The values are converted to the declared types as on the command line,
// and the call is the command line's, its errors with the same texts. An
// error is {"error": {"message", "kind", "code" when the server sent
// one}}, as under --json, with the kinds of --json and "request" for a
// request the console refuses; the status says which: 400 a usage error
// or a bad request, 403 a cross-site request, 413 a body too large, 415
// a body that is not JSON, 502 the host failed the call, 504 it did not
// answer in time.

// maxCallBody bounds the body of a call.
const maxCallBody = 64 << 10

//go:embed web
var webFiles embed.FS

// webConsole serves the console's page and API for one session.
type webConsole struct {
	c *cli
	s *session
}

// webHandler returns the console's HTTP handler for the session s.
func (c *cli) webHandler(s *session) http.Handler {
	wc := &webConsole{c: c, s: s}
	page, _ := fs.Sub(webFiles, "web") // a directory of the package: cannot fail
	files := http.FileServerFS(page)
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", files) // index.html
	entries, _ := fs.ReadDir(page, ".")
	for _, e := range entries {
		if e.Name() != "index.html" {
			mux.Handle("GET /"+e.Name(), files)
		}
	}
	mux.HandleFunc("GET /api/commands", wc.commands)
	mux.HandleFunc("POST /api/call", wc.call)
	return guard(mux)
}

// webCommand is a command as GET /api/commands lists it.
type webCommand struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Usage       string      `json:"usage"`
	Args        []webArg    `json:"args"`
	Options     []webOption `json:"options"`
}

type webArg struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
	Help string `json:"help"`
}

type webOption struct {
	Name    string `json:"name"`
	Flag    string `json:"flag"`
	Type    Type   `json:"type"`
	Default any    `json:"default,omitempty"`
	Help    string `json:"help"`
}

// commands is GET /api/commands.
func (wc *webConsole) commands(w http.ResponseWriter, r *http.Request) {
	cmds, err := wc.s.list(r.Context())
	if err != nil {
		wc.fail(w, err)
		return
	}
	list := make([]webCommand, len(cmds))
	for i, cmd := range cmds {
		wcmd := webCommand{Name: cmd.Name, Description: dedent(cmd.Description), Usage: cmd.Usage(wc.s.host),
			Args: make([]webArg, len(cmd.Args)), Options: make([]webOption, len(cmd.Options))}
		for j, a := range cmd.Args {
			wcmd.Args[j] = webArg{Name: a.Name, Type: typeOf(a.Type), Help: a.Help}
		}
		for j, o := range cmd.Options {
			wcmd.Options[j] = webOption{Name: o.Name, Flag: o.flag(), Type: typeOf(o.Type), Default: o.Default, Help: o.Help}
		}
		list[i] = wcmd
	}
	writeJSON(w, http.StatusOK, map[string]any{"host": wc.s.host, "commands": list})
}

// callRequest is the body of POST /api/call.
type callRequest struct {
	Command string          `json:"command"`
	Args    json.RawMessage `json:"args"`
}

// call is POST /api/call.
func (wc *webConsole) call(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		refuse(w, http.StatusUnsupportedMediaType, "a call is sent as application/json, not "+quote(r.Header.Get("Content-Type")))
		return
	}
	var req callRequest
	if status, err := decodeBody(w, r, &req); err != nil {
		refuse(w, status, err.Error())
		return
	}
	if req.Command == "" {
		refuse(w, http.StatusBadRequest, `the call names no "command"`)
		return
	}
	ctx := r.Context()
	cmd, err := wc.s.lookup(ctx, req.Command)
	if err != nil {
		wc.fail(w, err)
		return
	}
	words, err := callWords(cmd, req.Args)
	if err != nil {
		wc.fail(w, err)
		return
	}
	v, err := cmd.parse(words, nil)
	if err != nil {
		wc.fail(w, err)
		return
	}
	result, err := wc.s.call(ctx, cmd.Name, v)
	if err != nil {
		wc.fail(w, err)
		return
	}
	line := "engineer " + quoteWords(append([]string{wc.s.host, cmd.Name}, words...))
	writeJSON(w, http.StatusOK, map[string]any{"result": result, "line": line})
}

// decodeBody reads the JSON body of r into v: one value, of at most
// maxCallBody bytes, without fields v lacks. On failure it returns the
// status to answer with.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxCallBody))
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		if _, more := d.Token(); more != io.EOF {
			err = errors.New("more after the JSON value")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Errorf("the body is over %d bytes", tooBig.Limit)
	case err != nil:
		return http.StatusBadRequest, fmt.Errorf("the body is not a call: %w", err)
	}
	return 0, nil
}

// callWords returns the command-line words that give cmd the values of a
// call's "args": a list is the words themselves; an object names the
// arguments and options, and becomes --flag=VALUE for each option given
// (--flag or --no-flag for a Bool), then the arguments in order, up to the first missing, which the parser
// then names. A word that would read as an option comes after "--".
func callWords(cmd *Command, raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var args any
	if err := d.Decode(&args); err != nil {
		return nil, &UsageError{Msg: "args: " + err.Error()}
	}
	switch x := args.(type) {
	case []any:
		words := make([]string, len(x))
		for i, e := range x {
			s, ok := text(e)
			if !ok {
				return nil, &UsageError{Msg: fmt.Sprintf("args[%d] is %s, not a word", i, describeJSON(e))}
			}
			words[i] = s
		}
		return words, nil
	case map[string]any:
		return namedWords(cmd, x)
	}
	return nil, &UsageError{Msg: fmt.Sprintf("args is %s, not an object or a list of words", describeJSON(args))}
}

// namedWords is callWords for args by name.
func namedWords(cmd *Command, named map[string]any) ([]string, error) {
	var unknown []string
	for k := range named {
		if !cmd.declares(k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, &UsageError{Msg: fmt.Sprintf("%s has no argument or option %s", cmd.Name, quote(unknown[0]))}
	}
	value := func(name string) (string, bool, error) {
		v, ok := named[name]
		if !ok || v == nil {
			return "", false, nil
		}
		s, ok := text(v)
		if !ok {
			return "", false, &UsageError{Msg: fmt.Sprintf("%s: %s is %s, not text, a number or true/false", cmd.Name, quote(name), describeJSON(v))}
		}
		return s, true, nil
	}
	var words, pos []string
	for _, o := range cmd.Options {
		s, ok, err := value(o.Name)
		if err != nil {
			return nil, err
		}
		b, isBool := strconv.ParseBool(s)
		switch {
		case !ok:
		case typeOf(o.Type) == Bool && isBool == nil && b:
			words = append(words, o.flag())
		case typeOf(o.Type) == Bool && isBool == nil:
			words = append(words, "--no-"+o.flag()[2:])
		default:
			words = append(words, o.flag()+"="+s)
		}
	}
	for _, a := range cmd.Args {
		s, ok, err := value(a.Name)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		pos = append(pos, s)
	}
	if slices.ContainsFunc(pos, func(w string) bool { return w == "--" || isOptionWord(w) }) {
		words = append(words, "--")
	}
	return append(words, pos...), nil
}

// text is a JSON value as a word: text as it is, a number as written,
// true or false.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// describeJSON names the kind of a JSON value for an error message.
func describeJSON(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "text"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case map[string]any:
		return "an object"
	}
	return "a list"
}

// fail answers with err, as --json prints it, and the status of its kind.
func (wc *webConsole) fail(w http.ResponseWriter, err error) {
	status := http.StatusBadGateway // the host failed the call
	switch errorKind(err) {
	case "usage":
		status = http.StatusBadRequest
	case "timeout":
		status = http.StatusGatewayTimeout
	case "cancelled":
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]any{"error": errorJSON(err)})
}

// refuse answers a request the console does not take.
func refuse(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "kind": "request"}})
}

// writeJSON answers with v as JSON; a result that JSON cannot carry is a
// failure.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		status = http.StatusBadGateway
		b, _ = marshal(map[string]any{"error": map[string]any{"message": "the result is not JSON: " + err.Error(), "kind": "failure"}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
