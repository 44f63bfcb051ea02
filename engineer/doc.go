// Package engineer declares commands on an xbahn server and runs them from
// a command line that discovers them.
//
// On the server, Serve registers a list of Commands, declared as data
// (name, description, positional arguments in the order written, options
// with type, default and help), as the widget "engineer" of an rpc server.
// The widget answers the original's two discovery calls,
// engineer_list_commands (the sorted names) and engineer_info (a command's
// description and click's declarations of its arguments and options, with
// their types beside them), and runs the commands, whose values arrive by
// name in kwargs, as text from the original's command line: they are
// converted to the declared types.
//
// On the client, Discover attaches to that widget, ours or the
// original's, and returns a Table that asks only for what it needs: the
// names for help, one command's description to run it. Help, the one-shot
// command line (Main) and the interactive shell all work from the Table.
// Argument values given as text are converted to the declared types before
// the call; a wrong type or a missing argument is a usage error that names
// it.
//
// Beside the declared commands, the command line's builtins reach any rpc
// server's functions: methods and describe through the description every
// server of ours gives (rpc.MethodDescribe), call through a plain call,
// which the original's servers take too. The shell edits lines on a
// terminal (package internal/term), and "engineer completion" prints
// scripts for bash, zsh and fish.
//
// "engineer web" serves the same commands to a browser: a page built into
// the program renders a form for each command from its declarations, and
// calls it through a JSON API of two routes, GET /api/commands and POST
// /api/call (see webapi.go), which converts the values and calls the
// host as the command line does, its errors those of --json. It listens
// on loopback unless told otherwise, and refuses requests from other web
// sites.
//
// The command line is cmd/engineer, a thin main around Main; "engineer
// demo" runs a demo server and calls it, with no setup.
package engineer
