package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/caarlos0/env/v11"
)

// ErrHelp is returned by Load when -h or --help was asked for; the usage has
// been written by then.
var ErrHelp = flag.ErrHelp

// Validator is implemented by config structs that check their values as a
// whole once they are parsed (a rate and a user count both set, say).
type Validator interface {
	Validate() error
}

// Command describes the command a config struct belongs to, for --help.
type Command struct {
	Name    string // "stampede worker"
	Args    string // positional arguments, e.g. "[scenario.yaml]"
	Summary string // one paragraph on what it does
	Output  io.Writer
}

// Load fills cfg from environ (os.Environ's KEY=VALUE form) and args, with
// flags winning over variables, then calls cfg's Validate when it has one. It
// returns the arguments left after the flags.
func Load(cfg any, cmd Command, args, environ []string) ([]string, error) {
	fields, err := Fields(cfg)
	if err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fromFlags := map[string]string{}
	for _, f := range fields {
		fs.Var(&rawValue{field: f, into: fromFlags}, f.Flag, f.Help)
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if cmd.Output != nil {
				_ = Usage(cmd.Output, cmd, fields)
			}
			return nil, ErrHelp
		}
		return nil, fmt.Errorf("%w (see --help)", err)
	}

	environment := env.ToMap(environ)
	for key, value := range fromFlags {
		environment[key] = value
	}
	if err := env.ParseWithOptions(cfg, env.Options{Environment: environment}); err != nil {
		return nil, explain(err, fields, environment, fromFlags)
	}
	if v, ok := cfg.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return positional, nil
}

// parseInterspersed parses flags wherever they stand, so that
// `stampede worker scenario.yaml --users 5` works as users expect; the
// standard flag package stops at the first argument that is not a flag. A
// "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// fs.Parse consumed a "--" if args[len(args)-len(rest)-1] is one.
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// explain rewrites caarlos0/env's errors, which name Go fields, into ones
// that name the variable or flag the user set, and the value.
func explain(err error, fields []Field, environment, fromFlags map[string]string) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	var out []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			out = append(out, e)
			continue
		}
		f, ok := fieldNamed(fields, pe.Name)
		if !ok {
			out = append(out, e)
			continue
		}
		detail := want(f.Kind)
		if f.Kind == "value" || f.Kind == "list" || f.Kind == "string" {
			detail = pe.Err.Error()
		}
		if v, ok := fromFlags[f.Env]; ok {
			out = append(out, fmt.Errorf("invalid --%s %q: %s", f.Flag, v, detail))
		} else {
			out = append(out, fmt.Errorf("invalid %s=%q: %s", f.Env, environment[f.Env], detail))
		}
	}
	return errors.Join(out...)
}

func fieldNamed(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Usage writes the help of a command: its summary, then each flag with its
// variable and default.
func Usage(w io.Writer, cmd Command, fields []Field) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [flags] %s\n\n", cmd.Name, cmd.Args)
	if cmd.Summary != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(cmd.Summary))
	}
	b.WriteString("Flags (each also read from its environment variable; a flag wins):\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, f := range fields {
		kind := " " + f.Kind
		if f.isBool {
			kind = ""
		}
		def := ""
		if f.Default != "" {
			def = fmt.Sprintf(" (default %s)", f.Default)
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\t%s%s\n", f.Flag, kind, f.Env, f.Help, def)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// rawValue keeps a flag's text as given, so it is parsed by the same code as
// the variable it mirrors.
type rawValue struct {
	field Field
	into  map[string]string
}

func (v *rawValue) String() string { return "" }

func (v *rawValue) Set(s string) error {
	v.into[v.field.Env] = s
	return nil
}

// IsBoolFlag lets a bool setting be given as a bare --flag.
func (v *rawValue) IsBoolFlag() bool { return v.field.isBool }
