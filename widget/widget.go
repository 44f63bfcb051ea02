package widget

import (
	"context"
	"errors"
	"strings"

	"github.com/xbahn-go/xbahn/rpc"
)

// Widget is a client's handle on a widget instance of the server.
type Widget struct {
	Name, ID string

	c     *rpc.Client
	local *Host
	path  string
}

// AttachOptions configures Attach.
type AttachOptions struct {
	// Local is the client's side of the widget: its exported methods
	// answer the server instance's calls. It needs Host.
	Local any
	// Host is the widget host of the rpc server that serves the
	// client's responder (for a two-way client).
	Host *Host
}

// Attach attaches the client to the server's widget called name with the
// given id, creating the instance if the server has none.
func Attach(ctx context.Context, c *rpc.Client, name, id string, o *AttachOptions) (*Widget, error) {
	for what, s := range map[string]string{"name": name, "id": id, "client id": c.ID()} {
		if err := checkSegment(what, s); err != nil {
			return nil, err
		}
	}
	w := &Widget{Name: name, ID: id, c: c, path: path(name, c.ID(), id)}
	if o != nil && o.Local != nil {
		if o.Host == nil {
			return nil, errors.New("widget: a local side needs a Host")
		}
		if _, err := o.Host.add(name, c.ID(), id, o.Local); err != nil {
			return nil, err
		}
		w.local = o.Host
	}
	if err := w.attach(ctx); err != nil {
		w.dropLocal()
		return nil, err
	}
	return w, nil
}

func (w *Widget) attach(ctx context.Context) error {
	_, err := w.c.CallPath(ctx, w.path, methodAttach, nil, nil)
	return err
}

// Call calls method on the server's instance. When the server lacks the
// instance, the widget attaches again and retries the call once.
func (w *Widget) Call(ctx context.Context, method string, args ...any) (any, error) {
	return w.CallKw(ctx, method, args, nil)
}

// CallKw calls method with positional and keyword arguments, as Call does.
func (w *Widget) CallKw(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error) {
	v, err := w.c.CallPath(ctx, w.path, method, args, kwargs)
	var re *rpc.Error
	if errors.As(err, &re) && strings.Contains(re.Message, errNoInstance) {
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

// Detach removes this instance from the server, and its local side.
func (w *Widget) Detach(ctx context.Context) error {
	w.dropLocal()
	_, err := w.c.CallPath(ctx, w.path, methodDetach, nil, nil)
	return err
}

func (w *Widget) dropLocal() {
	if w.local != nil {
		w.local.remove(w.Name, w.c.ID(), w.ID)
	}
}
