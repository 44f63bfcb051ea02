// Package term is the engineer shell's terminal: it tells whether a file
// is a terminal, switches a terminal into raw mode and back, and edits
// command lines in it with history and completion.
//
// It uses the system calls of Linux and macOS directly; elsewhere, and on
// anything that is not a terminal, IsTerminal reports false and the shell
// reads plain lines instead.
package term
