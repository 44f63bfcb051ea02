// Package engineer declares commands on an xbahn server and runs them from
// a command line that discovers them.
//
// On the server, Serve registers a list of Commands, declared as data
// (name, description, positional arguments in the order written, options
// with type, default and help), as the widget "engineer" of an rpc server.
// The widget answers two discovery calls, the list of commands and one
// command's full description, and runs the commands.
//
// On the client, Discover turns those descriptions into a Table: the same
// commands, without their Go functions. Help, the one-shot command line
// (Main) and the interactive shell all work from the Table. Argument values
// given as text are converted to the declared types before the call; a
// wrong type or a missing argument is a usage error that names it.
//
// The command line is cmd/engineer, a thin main around Main; "engineer
// demo" runs a demo server and calls it, with no setup.
package engineer
