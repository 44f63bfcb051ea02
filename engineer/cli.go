package engineer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// Version returns the version --version reports: the main module's, as
// the go command recorded it in the binary ("v0.1.0" for a go install of
// that version), or "(devel)" and the VCS revision for a build from a
// clone.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if v == "(devel)" && rev != "" {
		v += " " + rev[:min(12, len(rev))] + modified
	}
	return v
}

// Exit statuses of Main.
const (
	ExitOK      = 0 // the command ran
	ExitFailure = 1 // the server or the connection failed
	ExitUsage   = 2 // the command line was wrong
)

// Env is what Main works with: its streams, its environment, and what it
// can build.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(key string) string
	// Curve makes a CURVE client mechanism from Z85 keys (an empty
	// public and secret key asks for a new pair). It is nil where the
	// command is built without CURVE, which lives in module zmtp/curve;
	// the --curve options exist only with it.
	Curve func(serverKey, publicKey, secretKey string) (zmtp.Mechanism, error)
}

// cli is one run of the command line.
type cli struct {
	io Env

	// The global options.
	version, help, debug, json, exitOnError bool
	inShell                                 bool // a line of the shell
	timeout                                 time.Duration
	key, user, pass                         string
	curve                                   [3]string // server, public and secret key
	enc                                     string    // --encoding
}

// Main runs the engineer command line with args (without the program
// name) and returns the exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	c := &cli{io: env}
	c.defaults()
	return c.main(ctx, &words{c: c, list: args})
}

// main takes the first word apart from the options and runs what it
// names.
func (c *cli) main(ctx context.Context, w *words) int {
	first, ok, err := w.next()
	if err != nil {
		return c.report(err)
	}
	if first != "__complete" { // whose words are a line, not options
		help, version := helpOrVersion(w.list[w.i:])
		c.help = c.help || help
		c.version = c.version || version
	}
	switch {
	case c.version:
		return c.printText("engineer, version " + Version() + "\n")
	case !ok && c.help:
		return c.printText(c.mainUsage(nil))
	case !ok:
		return c.report(&UsageError{Msg: "missing HOST"})
	}
	for _, t := range tools() {
		if t.name == first {
			if c.help {
				return c.printText("Usage: engineer " + t.usage + "\n\n  " + t.help + "\n")
			}
			return t.run(c, ctx, w)
		}
	}
	return c.host(ctx, first, w)
}

// helpOrVersion reports whether words, up to a "--", ask for help or the
// version: the options hold anywhere on the line, and these two before
// anything else, whatever else the line lacks.
func helpOrVersion(words []string) (help, version bool) {
	for _, w := range words {
		switch w {
		case "--":
			return help, version
		case "--help", "-h", "--help=true":
			help = true
		case "--version", "--version=true":
			version = true
		}
	}
	return help, version
}

// A tool is a command that takes no HOST.
type tool struct {
	name, usage, help string
	run               func(c *cli, ctx context.Context, w *words) int
}

// tools returns the commands that take no HOST; "__complete" serves the
// shell completion scripts.
func tools() []tool {
	return []tool{
		{"demo", "demo [--serve URL]", "run a demo server and the command line against it", (*cli).demo},
		{"web", webUsage, "serve a console of HOST's commands to a browser", (*cli).web},
		{"completion", "completion bash|zsh|fish", "print a shell completion script", (*cli).completion},
		{"__complete", "", "", (*cli).complete},
	}
}

// A builtin is a command of every host, besides those the host declares.
type builtin struct {
	name, args, help string
	run              func(c *cli, ctx context.Context, s *session, w *words) int
}

// builtins returns the commands every host has; they come before the
// host's own, which cannot take their names (see Serve).
func builtins() []builtin {
	return []builtin{
		{"shell", "", "open an engineer shell", (*cli).shellCommand},
		{"help", "[COMMAND]", "list the commands, or show a command's usage", (*cli).helpCommand},
		{"methods", "", "list the host's rpc methods", (*cli).methods},
		{"describe", "METHOD", "show an rpc method's parameters and doc", (*cli).describe},
		{"call", "METHOD [ARG]...", "call an rpc method: ARGs and --kw NAME=VALUE as JSON, else text", (*cli).call},
	}
}

func builtinNamed(name string) *builtin {
	for _, b := range builtins() {
		if b.name == name {
			return &b
		}
	}
	return nil
}

// host runs a command of host, or its help.
func (c *cli) host(ctx context.Context, host string, w *words) int {
	name, ok, err := w.next()
	if err != nil {
		return c.report(err)
	}
	s, err := c.open(ctx, host)
	if err != nil {
		return c.report(err)
	}
	defer s.close()
	if !ok {
		code := c.writeHostHelp(ctx, s)
		if code == ExitOK && !c.help {
			code = ExitUsage // a HOST alone is not a command
		}
		return code
	}
	return c.dispatch(ctx, s, name, w)
}

// dispatch runs the builtin or the host's command called name, or shows
// its usage.
func (c *cli) dispatch(ctx context.Context, s *session, name string, w *words) int {
	b := builtinNamed(name)
	switch {
	case c.version:
		return c.printText("engineer, version " + Version() + "\n")
	case b != nil && c.help:
		return c.printText(fmt.Sprintf("Usage: engineer %s %s\n\n  %s.\n", s.host, strings.TrimSpace(b.name+" "+b.args), b.help))
	case b != nil:
		return b.run(c, ctx, s, w)
	}
	return c.run(ctx, s, name, w.rest())
}

// run runs the host's command name with the words after it.
func (c *cli) run(ctx context.Context, s *session, name string, args []string) int {
	cmd, err := s.lookup(ctx, name)
	if err != nil {
		return c.report(err)
	}
	v, err := cmd.parse(args, c.globalFallback)
	if c.help { // whatever else the line lacks
		return c.writeCommandHelp(s, cmd)
	}
	if err != nil {
		return c.report(err)
	}
	if c.debug {
		fmt.Fprintf(c.io.Stderr, "debug: request %s %v\n", cmd.Name, map[string]any(v))
	}
	result, err := s.call(ctx, cmd.Name, v)
	if err != nil {
		return c.report(err)
	}
	return c.printResult(s.host, cmd.Name, result)
}

// globalFallback applies a word of a command's line that is not one of
// its options as a global option; false if it is none either.
func (c *cli) globalFallback(name, text string, hasText bool, value func(string) (string, error)) (bool, error) {
	if name == "h" {
		name = "help"
	}
	o, on := c.lookupOption(name)
	if o == nil {
		return false, nil
	}
	return true, c.apply(o, on, "--"+name, text, hasText, value)
}

// helpCommand is "HOST help [COMMAND]".
func (c *cli) helpCommand(ctx context.Context, s *session, w *words) int {
	name, ok, err := w.next()
	if err != nil {
		return c.report(err)
	}
	if !ok {
		return c.writeHostHelp(ctx, s)
	}
	if extra, more, _ := w.next(); more {
		return c.report(&UsageError{Msg: "help takes one command, not " + quote(extra)})
	}
	if b := builtinNamed(name); b != nil {
		return c.printText(fmt.Sprintf("Usage: engineer %s %s %s\n\n  %s\n", s.host, b.name, b.args, b.help))
	}
	cmd, err := s.lookup(ctx, name)
	if err != nil {
		return c.report(err)
	}
	return c.writeCommandHelp(s, cmd)
}

// UsageError is a command line that does not fit a command: a missing or
// extra argument, a value of the wrong type, an unknown option. Main exits
// with status 2 for it.
type UsageError struct {
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

// isUsage reports whether err is a usage error.
func isUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// mainUsage is the usage of the command line; with the commands of a
// host when it has them.
func (c *cli) mainUsage(cmds []*Command) string {
	var b strings.Builder
	b.WriteString(`Usage: engineer [OPTIONS] HOST COMMAND [ARGS]...
       engineer demo [--serve URL]
       engineer web [--listen ADDR] HOST
       engineer completion bash|zsh|fish

  run an engineer exposed action on a remote xbahn host

  HOST is an xbahn URL such as zmq://127.0.0.1:7050/req. Options go
  anywhere on the line, as --name VALUE or --name=VALUE; -- ends them.

Options:
`)
	for i := range options {
		o := &options[i]
		if !c.available(o) {
			continue
		}
		name := "--" + o.name
		switch {
		case o.flag != nil && o.name != "help" && o.name != "version":
			name += " / --no-" + o.name
		case o.arg != "":
			name += " " + o.arg
		}
		help := o.help
		if o.env != "" {
			help += " (default $" + o.env + ")"
		}
		writeEntry(&b, name, help)
	}
	b.WriteString("\nCommands:\n")
	for _, cmd := range cmds {
		writeEntry(&b, cmd.Name, summary(cmd.Description))
	}
	for _, bi := range builtins() {
		writeEntry(&b, strings.TrimSpace(bi.name+" "+bi.args), bi.help)
	}
	return b.String()
}

// writeEntry writes one line of a list of options or commands.
func writeEntry(w io.Writer, name, desc string) {
	if desc == "" {
		fmt.Fprintf(w, "  %s\n", name)
		return
	}
	if len(name) > 22 {
		fmt.Fprintf(w, "  %s\n  %-22s %s\n", name, "", desc)
		return
	}
	fmt.Fprintf(w, "  %-22s %s\n", name, desc)
}
