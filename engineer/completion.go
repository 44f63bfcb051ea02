package engineer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Completion scripts hand the line up to the cursor to the hidden command
// "engineer __complete LINE", which prints the words that can come next,
// one per line: options, the host's commands (asking the host named on
// the line), the builtins.
func completionScript(shell string) (string, bool) {
	switch shell {
	case "bash":
		return `# bash completion for engineer: source it, or save it as
# ~/.local/share/bash-completion/completions/engineer
_engineer() {
	local IFS=$'\n'
	COMPREPLY=($("${COMP_WORDS[0]}" __complete "${COMP_LINE:0:$COMP_POINT}" 2>/dev/null))
}
complete -o default -F _engineer engineer
`, true
	case "zsh":
		return `#compdef engineer
# zsh completion for engineer: source it, or save it as _engineer in a
# directory of $fpath
_engineer() {
	local -a candidates
	candidates=("${(@f)$(${words[1]} __complete "${BUFFER[1,CURSOR]}" 2>/dev/null)}")
	compadd -Q -a candidates
}
compdef _engineer engineer
`, true
	case "fish":
		return `# fish completion for engineer: source it, or save it as
# ~/.config/fish/completions/engineer.fish
function __engineer_complete
	engineer __complete (commandline -cp)
end
complete -c engineer -f -a '(__engineer_complete)'
`, true
	}
	return "", false
}

// completion is "engineer completion bash|zsh|fish".
func (c *cli) completion(_ context.Context, w *words) int {
	sh, ok, err := w.next()
	if err == nil && !ok {
		err = &UsageError{Msg: "completion: name the shell: bash, zsh or fish"}
	}
	if err != nil {
		return c.report(err)
	}
	script, known := completionScript(sh)
	if !known {
		return c.report(&UsageError{Msg: "completion: " + quote(sh) + " is not bash, zsh or fish"})
	}
	fmt.Fprint(c.io.Stdout, script)
	return ExitOK
}

// completeWait bounds what completion asks the host, so that a Tab never
// hangs.
const completeWait = 2 * time.Second

// complete is "engineer __complete LINE": the candidates for the word at
// the end of LINE, which starts with the program's name. It prints
// nothing rather than an error.
func (c *cli) complete(ctx context.Context, w *words) int {
	rest := w.rest()
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	line := strings.Join(rest, " ")
	typed, err := Split(line)
	if err != nil || len(typed) == 0 {
		return ExitOK
	}
	typed = typed[1:] // the program
	cur := ""
	if !strings.HasSuffix(line, " ") && len(typed) > 0 {
		cur, typed = typed[len(typed)-1], typed[:len(typed)-1]
	}
	c.timeout = min(c.timeout, completeWait)
	for _, cand := range c.candidates(ctx, typed, cur) {
		fmt.Fprintln(c.io.Stdout, cand)
	}
	return ExitOK
}

// candidates returns what can replace cur after the words typed, sorted.
func (c *cli) candidates(ctx context.Context, typed []string, cur string) []string {
	pos, isValue := c.positional(typed)
	if isValue {
		return nil // cur is an option's value
	}
	var cands []string
	switch {
	case len(pos) == 0 && strings.HasPrefix(cur, "-"):
		// the global options, below
	case len(pos) == 0:
		for _, t := range tools() {
			if !strings.HasPrefix(t.name, "_") {
				cands = append(cands, t.name)
			}
		}
	case len(pos) == 1 && pos[0] == "completion":
		cands = []string{"bash", "fish", "zsh"}
	case len(pos) > 0 && slices.ContainsFunc(tools(), func(t tool) bool { return t.name == pos[0] }):
		switch pos[0] {
		case "demo":
			cands = []string{"--serve"}
		case "web":
			cands = []string{"--listen"}
		}
	default:
		cands = c.hostCandidates(ctx, pos, cur)
	}
	if strings.HasPrefix(cur, "-") {
		cands = append(cands, c.optionWords()...)
	}
	var out []string
	for _, s := range cands {
		if strings.HasPrefix(s, cur) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// positional returns the words typed that are not options or their
// values, applying the options on the way, as the line will when it runs:
// the host is reached with the keys and credentials given. isValue
// reports that the next word is the value of the last option.
func (c *cli) positional(typed []string) (pos []string, isValue bool) {
	for i := 0; i < len(typed); i++ {
		word := typed[i]
		if !isOptionWord(word) {
			pos = append(pos, word)
			continue
		}
		name, text, hasText := strings.Cut(strings.TrimLeft(word, "-"), "=")
		o, on := c.lookupOption(name)
		if o == nil {
			continue // a command's own option
		}
		if o.set != nil && !hasText && i+1 == len(typed) {
			return pos, true
		}
		c.apply(o, on, "--"+name, text, hasText, func(string) (string, error) {
			i++
			return typed[i], nil
		})
	}
	return pos, false
}

// optionWords are the global options as they are typed.
func (c *cli) optionWords() []string {
	var out []string
	for i := range options {
		o := &options[i]
		if !c.available(o) {
			continue
		}
		out = append(out, "--"+o.name)
		if o.flag != nil && o.name != "help" && o.name != "version" {
			out = append(out, "--no-"+o.name)
		}
	}
	return out
}

// hostCandidates completes after "HOST": a command, a command's options,
// or a method's name; it asks the host.
func (c *cli) hostCandidates(ctx context.Context, pos []string, cur string) []string {
	s, err := c.open(ctx, pos[0])
	if err != nil {
		return nil
	}
	defer s.close()
	return s.candidates(ctx, pos[1:], cur)
}

// candidates completes the words of a command of the host: pos are the
// arguments typed after HOST.
func (s *session) candidates(ctx context.Context, pos []string, cur string) []string {
	var out []string
	names := func() {
		for _, b := range builtins() {
			out = append(out, b.name)
		}
		if cmds, err := s.list(ctx); err == nil {
			for _, cmd := range cmds {
				out = append(out, cmd.Name)
			}
		}
	}
	methods := func() {
		opCtx, done := s.op(ctx)
		defer done()
		if ms, err := s.client.Methods(opCtx); err == nil {
			for _, m := range ms {
				out = append(out, m.Name)
			}
		}
	}
	switch {
	case len(pos) == 0:
		if !strings.HasPrefix(cur, "-") {
			names()
		}
	case len(pos) == 1 && pos[0] == "help":
		names()
	case len(pos) == 1 && (pos[0] == "describe" || pos[0] == "call"):
		methods()
	case len(pos) >= 1 && pos[0] == "call":
		if strings.HasPrefix(cur, "-") {
			out = append(out, "--kw")
		}
	case builtinNamed(pos[0]) == nil && strings.HasPrefix(cur, "-"):
		if cmd, err := s.lookup(ctx, pos[0]); err == nil {
			out = append(out, cmd.optionWords()...)
		}
	}
	return out
}

// optionWords are the command's options as they are typed.
func (c *Command) optionWords() []string {
	var out []string
	for _, o := range c.Options {
		out = append(out, o.flag())
		if typeOf(o.Type) == Bool {
			out = append(out, "--no-"+o.flag()[2:])
		}
	}
	return out
}
