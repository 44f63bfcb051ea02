package rpc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xbahn-go/xbahn/zmtp"
)

// Error is a call that failed on the other side: the remote function
// returned an error or panicked, the method is not exposed, or the
// arguments did not fit. The caller finds it with errors.As.
//
// The original's error text crosses the wire, and from a server of ours a
// Code too. Unwrap returns the sentinels they stand for (ErrNotExposed,
// ErrUnknownRoute, ErrWidgetNotFound, ErrWidgetPath, ErrAuth, ErrBusy and
// ErrClosed by text, so errors.Is works the same whether a Go server or
// the original Python xbahn answered; context.DeadlineExceeded,
// context.Canceled, ErrInvalidArgument, ErrPermission and ErrInternal by
// code).
type Error struct {
	Method  string // the method called
	Message string // the error text the remote side sent
	Code    Code   // the kind of failure, from a server of ours; else ""
}

// Error returns the remote text after the method's name, unless the text
// names it already, as "action 'x' not exposed on API (Server)" does.
func (e *Error) Error() string {
	if e.Method == "" || strings.Contains(e.Message, e.Method) {
		return "rpc: " + e.Message
	}
	return "rpc: " + e.Method + ": " + e.Message
}

// Unwrap returns the sentinels the remote text and code stand for.
func (e *Error) Unwrap() []error {
	var errs []error
	for _, err := range []error{classify(e.Message), codeSentinel(e.Code)} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Errors of servers and clients. The first five are what a server answers
// for a call it cannot route or run; each stands for a text of the
// original Python xbahn, which is what goes on the wire (see
// ServerOptions.Name).
var (
	// ErrNotExposed is a call of a method the server does not expose.
	// On the wire: "action 'NAME' not exposed on API (SERVER)".
	ErrNotExposed = errors.New("rpc: method not exposed")
	// ErrUnknownRoute is a call to a path below the call path that is
	// not a widget's. On the wire: "Unknown call route".
	ErrUnknownRoute = errors.New("rpc: unknown call route")
	// ErrWidgetNotFound is a call of a widget instance the server does
	// not have: after a restart, say. The client attaches again and
	// retries once. On the wire: "Widget instance not found on server
	// (1)" when the server has no instance of that widget name at all,
	// "(2)" when it has others of the name.
	ErrWidgetNotFound = errors.New("rpc: widget instance not found on server")
	// ErrWidgetPath is a widget path without exactly a name, a client id
	// and a widget id after "widgets". On the wire: Python's unpacking
	// error, "not enough values to unpack (expected 3, got N)" or "too
	// many values to unpack (expected 3)".
	ErrWidgetPath = errors.New("rpc: widget path needs a name, a client id and a widget id")
	// ErrAuth is a call whose key does not match the server's. On the
	// wire: "Authentication failed.".
	ErrAuth = errors.New("rpc: authentication failed")

	// ErrClosed is returned by a closed server or client, and is what a
	// closed server answers (on the wire: "server closed"). It is a
	// *zmtp.ClosedError: errors.Is matches it with zmtp.ErrClosed,
	// xbahn.ErrClosed and net.ErrClosed, and they with it.
	ErrClosed error = &zmtp.ClosedError{What: "rpc: closed"}
	// ErrNoClient is returned when a server has no connection to the
	// client it is asked to call.
	ErrNoClient = errors.New("rpc: no connection to that client")
)

// NotExposedError is a call of a method that is not exposed, as a server
// or an Object finds it. Its errors.Is target is ErrNotExposed.
type NotExposedError struct {
	Method string
}

func (e *NotExposedError) Error() string {
	return "rpc: method " + strconv.Quote(e.Method) + " is not exposed"
}

// Is reports whether target is ErrNotExposed.
func (e *NotExposedError) Is(target error) bool { return target == ErrNotExposed }

// WidgetNotFoundError is a call of a widget instance the server does not
// have. Known tells the two cases of the original apart: the server has
// instances of the widget's name, only not this one. Its errors.Is target
// is ErrWidgetNotFound.
type WidgetNotFoundError struct {
	Name, ID string // the widget's name, and its id with the client's
	Known    bool
}

func (e *WidgetNotFoundError) Error() string {
	return "rpc: widget instance " + strconv.Quote(e.Name+"."+e.ID) + " not found on server"
}

// Is reports whether target is ErrWidgetNotFound.
func (e *WidgetNotFoundError) Is(target error) bool { return target == ErrWidgetNotFound }

// widgetPathError is a widget path with got segments after "widgets".
type widgetPathError struct{ got int }

func (e widgetPathError) Error() string {
	return fmt.Sprintf("rpc: widget path has %d segments after \"widgets\", want 3", e.got)
}

func (e widgetPathError) Is(target error) bool { return target == ErrWidgetPath }

// The original's texts, as its server sends them and its client matches
// them.
const (
	textUnknownRoute = "Unknown call route"
	textAuth         = "Authentication failed."
	textNoWidget     = "Widget instance not found on server"
	textClosed       = "server closed" // ours: the original had no such reply
	textBusy         = "server busy"   // ours too
)

// wireText returns the text that answers a call failed with err: the
// original's own for the failures it knows, err's text for the others.
// server names the server in "not exposed".
func wireText(err error, server string) string {
	var ne *NotExposedError
	var wn *WidgetNotFoundError
	var wp widgetPathError
	switch {
	case errors.As(err, &ne):
		return "action '" + ne.Method + "' not exposed on API (" + server + ")"
	case errors.As(err, &wn):
		if wn.Known {
			return textNoWidget + " (2)"
		}
		return textNoWidget + " (1)"
	case errors.As(err, &wp):
		if wp.got > 3 {
			return "too many values to unpack (expected 3)"
		}
		return fmt.Sprintf("not enough values to unpack (expected 3, got %d)", wp.got)
	case errors.Is(err, ErrUnknownRoute):
		return textUnknownRoute
	case errors.Is(err, ErrAuth):
		return textAuth
	case errors.Is(err, ErrClosed):
		return textClosed
	}
	// The caller's Error names the layer itself.
	return strings.TrimPrefix(err.Error(), "rpc: ")
}

// classify returns the sentinel that the error text of a reply stands for,
// or nil.
func classify(text string) error {
	switch {
	case strings.HasPrefix(text, "action '") && strings.Contains(text, "' not exposed on API ("):
		return ErrNotExposed
	case strings.Contains(text, textNoWidget):
		// The original's client looks for this text anywhere.
		return ErrWidgetNotFound
	case strings.HasSuffix(text, "values to unpack (expected 3)") ||
		strings.HasPrefix(text, "not enough values to unpack (expected 3, got "):
		return ErrWidgetPath
	case text == textUnknownRoute:
		return ErrUnknownRoute
	case text == textAuth:
		return ErrAuth
	case text == textClosed:
		return ErrClosed
	case text == textBusy:
		return ErrBusy
	}
	return nil
}
