package scenario

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
)

// tmpl is one compiled template string of a scenario. Most strings hold no
// action at all, or only plain variable references like "/todo/{{ .id }}";
// those never go through text/template at request time.
type tmpl struct {
	literal string             // the text, when the string holds no action
	segs    []segment          // when every action is a plain {{ .name }}
	full    *template.Template // anything else
	// random holds clones of full whose random functions draw from a
	// per-call *rand.Rand; nil when the template draws no random values.
	random *sync.Pool
	// single is true when the string is exactly one action, which the JSON
	// typing rule needs.
	single bool
	field  string
	line   int
}

// segment is literal text, or a variable reference when name != "".
type segment struct {
	text string
	name string
}

// boundTemplate is a clone of a template whose random functions use rng,
// set for the duration of one Execute by the goroutine holding it.
type boundTemplate struct {
	t   *template.Template
	rng *randomFuncs
}

// templateName is the name text/template puts in its messages; errors strip it
// because the field path says more.
const templateName = "t"

// funcArity is the number of arguments of each scenario template function.
var funcArity = map[string]int{"lorem": 1, "uuid": 0, "randInt": 2, "env": 1}

// drawsRandom lists the functions that use the per-call random source.
var drawsRandom = map[string]bool{"lorem": true, "uuid": true, "randInt": true}

func literal(s string) *tmpl { return &tmpl{literal: s} }

// compileTemplate parses s. It returns the names of the user variables the
// template reads (so Parse can check that some step extracts them), and an
// error that reads well after a field path.
func compileTemplate(s string) (*tmpl, []string, error) {
	if !strings.Contains(s, "{{") {
		return literal(s), nil, nil
	}
	base, err := template.New(templateName).Option("missingkey=error").Funcs((&randomFuncs{}).funcMap()).Parse(s)
	if err != nil {
		return nil, nil, fmt.Errorf("bad template: %s", stripTemplatePrefix(err.Error()))
	}
	if len(base.Templates()) > 1 {
		return nil, nil, errors.New("bad template: define and block are not supported")
	}
	root := base.Tree.Root
	a := analysis{}
	a.walk(root, true)
	if len(a.problems) > 0 {
		return nil, nil, errors.New("bad template: " + strings.Join(a.problems, "; "))
	}
	t := &tmpl{single: len(root.Nodes) == 1 && root.Nodes[0].Type() == parse.NodeAction}
	if segs, ok := plainSegments(root); ok {
		if len(a.vars) > 0 {
			t.segs = segs
		} else if len(segs) == 1 { // text only (adjacent text is merged), e.g. around a comment
			t.literal = segs[0].text
		}
		return t, a.vars, nil
	}
	t.full = base
	if a.random {
		t.random = &sync.Pool{New: func() any {
			f := &randomFuncs{}
			c, err := base.Clone()
			if err != nil {
				return nil
			}
			return &boundTemplate{t: c.Funcs(f.funcMap()), rng: f}
		}}
	}
	return t, a.vars, nil
}

// plainSegments splits a template made only of text and {{ .name }} actions.
func plainSegments(root *parse.ListNode) ([]segment, bool) {
	var segs []segment
	for _, n := range root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(segs) > 0 && segs[len(segs)-1].name == "" {
				segs[len(segs)-1].text += string(n.Text)
			} else {
				segs = append(segs, segment{text: string(n.Text)})
			}
		case *parse.ActionNode:
			p := n.Pipe
			if p.IsAssign || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
				return nil, false
			}
			f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return nil, false
			}
			segs = append(segs, segment{name: f.Ident[0]})
		case *parse.CommentNode:
		default:
			return nil, false
		}
	}
	return segs, true
}

// isLiteral reports whether the template renders the same text every time.
func (t *tmpl) isLiteral() bool { return t != nil && t.full == nil && t.segs == nil }

// render executes the template over one user's variables.
func (t *tmpl) render(vars Vars, rng *rand.Rand) (string, error) {
	switch {
	case t.full != nil:
		return t.execute(vars, rng)
	case t.segs != nil:
		if len(t.segs) == 1 {
			return lookup(vars, t.segs[0].name)
		}
		var b strings.Builder
		for _, s := range t.segs {
			if s.name == "" {
				b.WriteString(s.text)
				continue
			}
			v, err := lookup(vars, s.name)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
		}
		return b.String(), nil
	default:
		return t.literal, nil
	}
}

func lookup(vars Vars, name string) (string, error) {
	v, ok := vars[name]
	if !ok {
		return "", missingVar(name)
	}
	return v, nil
}

func missingVar(name string) error {
	return fmt.Errorf("variable %q is not set (no step has extracted it yet)", name)
}

func (t *tmpl) execute(vars Vars, rng *rand.Rand) (string, error) {
	var b strings.Builder
	var err error
	if bt, _ := t.poolGet(); bt != nil {
		bt.rng.rng = rng
		err = bt.t.Execute(&b, vars)
		bt.rng.rng = nil
		t.random.Put(bt)
	} else {
		err = t.full.Execute(&b, vars)
	}
	if err != nil {
		return "", execError(err)
	}
	return b.String(), nil
}

func (t *tmpl) poolGet() (*boundTemplate, bool) {
	if t.random == nil {
		return nil, false
	}
	bt, ok := t.random.Get().(*boundTemplate)
	return bt, ok
}

var (
	templatePrefix = regexp.MustCompile(`^template: ` + templateName + `:\d+(:\d+)?: (executing "` + templateName + `" )?`)
	missingKey     = regexp.MustCompile(`map has no entry for key "([^"]*)"`)
)

func stripTemplatePrefix(msg string) string {
	return templatePrefix.ReplaceAllString(msg, "")
}

// execError turns text/template's message into one that reads well after a
// field path: "at <randInt 5 1>: error calling randInt: ...".
func execError(err error) error {
	msg := err.Error()
	if m := missingKey.FindStringSubmatch(msg); m != nil {
		return missingVar(m[1])
	}
	return errors.New(stripTemplatePrefix(msg))
}

// analysis walks a parsed template to find the variables it reads, whether it
// draws random values, and calls of our functions with the wrong arguments,
// so that those fail at load instead of on every request.
type analysis struct {
	vars     []string
	random   bool
	problems []string
}

func (a *analysis) walk(n parse.Node, dotIsVars bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			a.walk(c, dotIsVars)
		}
	case *parse.ActionNode:
		a.pipe(n.Pipe, dotIsVars)
	case *parse.IfNode:
		a.pipe(n.Pipe, dotIsVars)
		a.walk(n.List, dotIsVars)
		a.walk(n.ElseList, dotIsVars)
	case *parse.RangeNode:
		a.branchChangingDot(&n.BranchNode, dotIsVars)
	case *parse.WithNode:
		a.branchChangingDot(&n.BranchNode, dotIsVars)
	case *parse.TemplateNode:
		a.problems = append(a.problems, "{{ template }} is not supported")
	}
}

// branchChangingDot walks range and with, inside which dot is no longer the
// variables.
func (a *analysis) branchChangingDot(b *parse.BranchNode, dotIsVars bool) {
	a.pipe(b.Pipe, dotIsVars)
	a.walk(b.List, false)
	a.walk(b.ElseList, dotIsVars)
}

func (a *analysis) pipe(p *parse.PipeNode, dotIsVars bool) {
	if p == nil {
		return
	}
	for i, c := range p.Cmds {
		a.command(c, i > 0, dotIsVars)
	}
}

func (a *analysis) command(c *parse.CommandNode, piped, dotIsVars bool) {
	args := c.Args
	if len(args) == 0 {
		return
	}
	if id, ok := args[0].(*parse.IdentifierNode); ok {
		a.call(id.Ident, args[1:], piped)
		args = args[1:]
	}
	for _, arg := range args {
		a.arg(arg, dotIsVars)
	}
}

func (a *analysis) arg(n parse.Node, dotIsVars bool) {
	switch n := n.(type) {
	case *parse.FieldNode:
		if dotIsVars {
			a.vars = append(a.vars, n.Ident[0])
		}
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			a.vars = append(a.vars, n.Ident[1])
		}
	case *parse.IdentifierNode:
		a.call(n.Ident, nil, false)
	case *parse.PipeNode:
		a.pipe(n, dotIsVars)
	case *parse.ChainNode:
		a.arg(n.Node, dotIsVars)
	}
}

// call checks a call of one of our functions.
func (a *analysis) call(name string, args []parse.Node, piped bool) {
	want, ours := funcArity[name]
	if !ours {
		return
	}
	if drawsRandom[name] {
		a.random = true
	}
	got := len(args)
	if piped {
		got++
	}
	if got != want {
		a.problems = append(a.problems, fmt.Sprintf("%s takes %d argument(s), got %d", name, want, got))
		return
	}
	ints := literalInts(args)
	switch {
	case name == "lorem" && len(ints) == 1 && (ints[0] < 0 || ints[0] > maxLoremWords):
		a.problems = append(a.problems, fmt.Sprintf("lorem %d: want 0 to %d words", ints[0], maxLoremWords))
	case name == "randInt" && len(ints) == 2 && ints[0] > ints[1]:
		a.problems = append(a.problems, fmt.Sprintf("randInt %d %d: min is greater than max", ints[0], ints[1]))
	}
}

// literalInts returns the arguments' values when all are integer literals.
func literalInts(args []parse.Node) []int64 {
	out := make([]int64, 0, len(args))
	for _, arg := range args {
		num, ok := arg.(*parse.NumberNode)
		if !ok || !num.IsInt {
			return nil
		}
		out = append(out, num.Int64)
	}
	return out
}

// template compiles a string field that may hold template actions, reporting
// a bad template, and records the variables it reads.
func (d *decoder) template(s string, line int, field string) *tmpl {
	t, vars, err := compileTemplate(s)
	if err != nil {
		d.add(line, field, "%v", err)
		t = literal(s)
	}
	t.field, t.line = field, line
	for _, name := range vars {
		d.varRefs = append(d.varRefs, varRef{name: name, field: field, line: line})
	}
	return t
}
