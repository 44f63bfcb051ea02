// Package widget attaches named remote objects to rpc clients and servers,
// as the original's API widgets, with the original's calls on the wire.
//
// A widget has a name, such as "demo", and an id chosen by the client,
// such as "widget_a". A client Attaches to it with the original's
// attach_remote("<client id>.widget_a", "demo", remote_name="demo"); its
// calls then go to the server-side instance on the path
// "<path>.call.widgets.demo.<client id>.widget_a". A server's Host makes
// the instance, from the Factory registered under the name, on the first
// attach of that id.
//
// On a plain server every client's id is "$", so instances are shared by
// id among all clients: two clients attached to "widget_a" see the same
// object. A Host with PerClient set, on a client-aware rpc server, is
// widget-aware, as the original's WidgetAwareServer: an instance belongs
// to the client that attached it, goes with the client, and can call the
// client's side of the widget (Instance.Call) when the client is two-way
// and serves a Host of its own (rpc.ClientOptions.Local).
//
// A call of an instance the server lacks, after a server restart say,
// fails with "Widget instance not found on server (1)" or "(2)"
// (rpc.ErrWidgetNotFound); the client then attaches again and retries
// once. Detaching removes that one instance, not the others of the same
// name, as the original's detach_remote meant to.
package widget
