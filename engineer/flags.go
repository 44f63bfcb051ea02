package engineer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// option is a global option of the command line, declared as data: the
// parser, the usage text and the shell completion all read the table.
type option struct {
	name  string // without its dashes
	arg   string // the value's name in the usage; "" for an on/off flag
	help  string
	env   string // the environment variable that gives its default
	curve bool   // only where the command is built with CURVE
	conn  bool   // shapes the connection: set when the shell starts, not on a line
	set   func(c *cli, value string) error
	flag  func(c *cli, on bool)
}

// defaultTimeout is how long the command line waits for a host.
const defaultTimeout = 5 * time.Second

// options are the global options, in the order of the usage.
var options = []option{
	{name: "version", help: "Show the version and exit.", flag: func(c *cli, on bool) { c.version = on }},
	{name: "debug", help: "Show debug information: the requests and replies.", flag: func(c *cli, on bool) { c.debug = on }},
	{name: "json", help: "Print every result and error as one JSON document, for scripts.", flag: func(c *cli, on bool) { c.json = on }},
	{name: "timeout", arg: "D", help: "Give up on the host after D (default 5s).", set: func(c *cli, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 5s", v)
		}
		c.timeout = d
		return nil
	}},
	{name: "encoding", conn: true, arg: "E", help: "Send messages as json or binary (default: binary to peers that announce they read it, json to others).", set: func(c *cli, v string) error {
		if v != "json" && v != "binary" {
			return fmt.Errorf("%q is not json or binary", v)
		}
		c.enc = v
		return nil
	}},
	{name: "key", conn: true, arg: "KEY", env: "XBAHN_KEY", help: "Shared key of a server that requires one.", set: func(c *cli, v string) error { c.key = v; return nil }},
	{name: "user", conn: true, arg: "U", env: "XBAHN_USER", help: "PLAIN user name.", set: func(c *cli, v string) error { c.user = v; return nil }},
	{name: "password", conn: true, arg: "P", env: "XBAHN_PASSWORD", help: "PLAIN password.", set: func(c *cli, v string) error { c.pass = v; return nil }},
	{name: "curve-server-key", conn: true, arg: "K", env: "XBAHN_CURVE_SERVER_KEY", curve: true, help: "The server's CURVE public key, in Z85.", set: func(c *cli, v string) error { c.curve[0] = v; return nil }},
	{name: "curve-public-key", conn: true, arg: "K", env: "XBAHN_CURVE_PUBLIC_KEY", curve: true, help: "This client's CURVE public key (default: a new pair).", set: func(c *cli, v string) error { c.curve[1] = v; return nil }},
	{name: "curve-secret-key", conn: true, arg: "K", env: "XBAHN_CURVE_SECRET_KEY", curve: true, help: "This client's CURVE secret key.", set: func(c *cli, v string) error { c.curve[2] = v; return nil }},
	{name: "exit-on-error", help: "Make a shell reading a script stop at the first failure.", flag: func(c *cli, on bool) { c.exitOnError = on }},
	{name: "help", help: "Show this message and exit.", flag: func(c *cli, on bool) { c.help = on }},
}

// available reports whether o exists in this build.
func (c *cli) available(o *option) bool { return !o.curve || c.io.Curve != nil }

// lookupOption finds the global option of a word's name (without dashes):
// "no-x" is flag x turned off. on is false for that form.
func (c *cli) lookupOption(name string) (o *option, on bool) {
	for i := range options {
		if o := &options[i]; o.name == name && c.available(o) {
			return o, true
		}
	}
	if base, ok := strings.CutPrefix(name, "no-"); ok {
		for i := range options {
			if o := &options[i]; o.name == base && o.flag != nil && c.available(o) {
				return o, false
			}
		}
	}
	return nil, false
}

// defaults sets the options that the environment gives.
func (c *cli) defaults() {
	c.timeout = defaultTimeout
	for i := range options {
		o := &options[i]
		if o.env != "" && c.available(o) {
			if v := c.io.Getenv(o.env); v != "" {
				o.set(c, v)
			}
		}
	}
}

// words is a command line being taken apart, GNU style: options anywhere,
// "--name value" or "--name=value", "-h" for --help, and "--" to end the
// options.
type words struct {
	c    *cli
	list []string
	i    int
	done bool // "--" was seen: the rest are arguments
}

// next returns the next argument, applying the global options before it;
// false at the end.
func (w *words) next() (string, bool, error) {
	for w.i < len(w.list) {
		word := w.list[w.i]
		w.i++
		switch {
		case w.done || !isOptionWord(word):
			return word, true, nil
		case word == "--":
			w.done = true
			continue
		}
		if err := w.global(word); err != nil {
			return "", false, err
		}
	}
	return "", false, nil
}

// rest returns what is left, unparsed, for a command's own options.
func (w *words) rest() []string {
	r := w.list[w.i:]
	if w.done {
		// The options ended: keep that so for the command.
		r = append([]string{"--"}, r...)
	}
	w.i = len(w.list)
	return r
}

// value returns the word after an option that takes one.
func (w *words) value(flag string) (string, error) {
	if w.i == len(w.list) {
		return "", &UsageError{Msg: "option " + flag + " needs a value"}
	}
	w.i++
	return w.list[w.i-1], nil
}

// global applies the global option word; the error names it.
func (w *words) global(word string) error {
	if word == "-h" {
		word = "--help"
	}
	name, text, hasText := strings.Cut(strings.TrimLeft(word, "-"), "=")
	o, on := w.c.lookupOption(name)
	if o == nil {
		return &UsageError{Msg: "unknown option --" + name}
	}
	return w.c.apply(o, on, "--"+name, text, hasText, w.value)
}

// apply sets option o from its word: a flag takes no value or =true and
// =false; the others take the next word or the text after "=".
func (c *cli) apply(o *option, on bool, flag, text string, hasText bool, value func(string) (string, error)) error {
	if o.conn && c.inShell {
		return &UsageError{Msg: "option " + flag + " shapes the connection: give it when the shell starts"}
	}
	if o.flag != nil {
		if hasText {
			b, err := strconv.ParseBool(text)
			switch {
			case err != nil:
				return &UsageError{Msg: fmt.Sprintf("option %s: %q is not true or false", flag, text)}
			case !on:
				return &UsageError{Msg: fmt.Sprintf("option %s takes no value", flag)}
			}
			on = b
		}
		o.flag(c, on)
		return nil
	}
	if !hasText {
		var err error
		if text, err = value(flag); err != nil {
			return err
		}
	}
	if err := o.set(c, text); err != nil {
		return &UsageError{Msg: "option " + flag + ": " + err.Error()}
	}
	return nil
}

// isOptionWord reports whether word is an option rather than an argument:
// it starts with a dash and is not "-" or a number such as -3.
func isOptionWord(word string) bool {
	return strings.HasPrefix(word, "-") && word != "-" && !isNumber(word)
}

// eachWord walks the words of a builtin or tool after its name: arguments
// go to arg; an option goes to local, when it takes it, or else is a
// global option; "--" ends the options.
func (c *cli) eachWord(words []string, arg func(string) error, local otherOption) error {
	ended := false
	for i := 0; i < len(words); i++ {
		word := words[i]
		switch {
		case ended || !isOptionWord(word):
			if err := arg(word); err != nil {
				return err
			}
			continue
		case word == "--":
			ended = true
			continue
		}
		name, text, hasText := strings.Cut(strings.TrimLeft(word, "-"), "=")
		next := func(flag string) (string, error) {
			if i+1 == len(words) {
				return "", &UsageError{Msg: "option " + flag + " needs a value"}
			}
			i++
			return words[i], nil
		}
		took := false
		var err error
		if local != nil {
			took, err = local(name, text, hasText, next)
		}
		if err == nil && !took {
			took, err = c.globalFallback(name, text, hasText, next)
		}
		if err == nil && !took {
			err = &UsageError{Msg: "unknown option --" + name}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// valueOf returns the value of an option word: the text after "=", or
// the next word.
func valueOf(flag, text string, hasText bool, next func(string) (string, error)) (string, error) {
	if hasText {
		return text, nil
	}
	return next(flag)
}
