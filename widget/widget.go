package widget

import (
	"context"
	"errors"
	"maps"

	"github.com/xbahn-go/xbahn/rpc"
)

// Widget is a client's handle on a widget instance of the server.
type Widget struct {
	Name string // the widget's name on the server
	ID   string // the widget's id, without the client's

	c         *rpc.Client
	client    string // the client's id when the widget attached
	localName string // the widget's name on the client
	kwargs    map[string]any
	local     *Host
	path      string
}

// AttachOptions configures Attach.
type AttachOptions struct {
	// LocalName is the widget's name on the client, which the server
	// uses to call the client's side (the original's Client.widget
	// name, with the server's as its remote_name). Default: the server's
	// name.
	LocalName string
	// Kwargs are passed to the server's instance when it is made
	// (Instance.Kwargs); they travel as the keyword arguments of
	// attach_remote.
	Kwargs map[string]any
	// Local is the client's side of the widget: its exported methods
	// answer the server instance's calls. It needs Host.
	Local any
	// Host is the widget host of the client's local rpc server, the one
	// that answers a two-way client's calls (rpc.ClientOptions.Local).
	Host *Host
}

// Attach attaches the client to the server's widget called name with the
// given id, creating the instance if the server has none. On the wire it
// is the original's attach_remote("<client id>.<id>", name,
// remote_name=<local name>) on the call path; the widget's calls then go
// to "<path>.call.widgets.<name>.<client id>.<id>".
func Attach(ctx context.Context, c *rpc.Client, name, id string, o *AttachOptions) (*Widget, error) {
	var opts AttachOptions
	if o != nil {
		opts = *o
	}
	if opts.LocalName == "" {
		opts.LocalName = name
	}
	for _, s := range [][2]string{{"name", name}, {"id", id}, {"client id", c.ID()}, {"local name", opts.LocalName}} {
		if err := checkSegment(s[0], s[1]); err != nil {
			return nil, err
		}
	}
	if _, ok := opts.Kwargs["remote_name"]; ok {
		return nil, errors.New("widget: remote_name is the LocalName option, not a keyword argument")
	}
	w := &Widget{Name: name, ID: id, c: c, client: c.ID(), localName: opts.LocalName, kwargs: opts.Kwargs,
		path: path(name, c.ID(), id)}
	if opts.Local != nil {
		if opts.Host == nil {
			return nil, errors.New("widget: a local side needs a Host")
		}
		if err := opts.Host.add(w, opts.Local); err != nil {
			return nil, err
		}
		w.local = opts.Host
	}
	if err := w.attach(ctx); err != nil {
		w.dropLocal()
		return nil, err
	}
	return w, nil
}

// fullID is the widget's id on the wire: "<client id>.<id>".
func (w *Widget) fullID() string { return w.client + "." + w.ID }

// attach sends attach_remote for the widget.
func (w *Widget) attach(ctx context.Context) error {
	kwargs := maps.Clone(w.kwargs)
	if kwargs == nil {
		kwargs = map[string]any{}
	}
	kwargs["remote_name"] = w.localName
	_, err := w.c.CallKw(ctx, methodAttach, []any{w.fullID(), w.Name}, kwargs)
	return err
}

// Call calls method on the server's instance. When the server lacks the
// instance (after a restart, say: rpc.ErrWidgetNotFound), the widget
// attaches again and retries the call once, as the original's client
// does.
func (w *Widget) Call(ctx context.Context, method string, args ...any) (any, error) {
	return w.CallKw(ctx, method, args, nil)
}

// CallKw calls method with positional and keyword arguments, as Call does.
func (w *Widget) CallKw(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error) {
	v, err := w.c.CallPath(ctx, w.path, method, args, kwargs)
	if errors.Is(err, rpc.ErrWidgetNotFound) {
		if err := w.attach(ctx); err != nil {
			return nil, err
		}
		return w.c.CallPath(ctx, w.path, method, args, kwargs)
	}
	return v, err
}

// CallAs calls method on the server's instance and converts its result to
// T.
func CallAs[T any](ctx context.Context, w *Widget, method string, args ...any) (T, error) {
	var t T
	v, err := w.Call(ctx, method, args...)
	if err == nil {
		err = rpc.Convert(v, &t)
	}
	return t, err
}

// Detach removes this instance from the server, and its local side. On
// the wire it is the original's detach_remote("<client id>.<id>", name),
// which the original's plain Server does not expose.
func (w *Widget) Detach(ctx context.Context) error {
	w.dropLocal()
	_, err := w.c.Call(ctx, methodDetach, w.fullID(), w.Name)
	return err
}

func (w *Widget) dropLocal() {
	if w.local != nil {
		w.local.remove(w.localName, w.fullID())
	}
}
