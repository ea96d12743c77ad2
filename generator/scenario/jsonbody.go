package scenario

import (
	"encoding/json"
	"math/rand/v2"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxJSONDepth bounds the nesting of a json: body (YAML itself allows more).
const maxJSONDepth = 1000

// jsonBody is a compiled json: request body: the literal JSON between
// templated strings is encoded once at load, so a request only renders its
// templates. A body without templates is a single literal part.
type jsonBody struct {
	parts []jsonPart
	size  int // bytes of the literal parts, to size the buffer
}

// jsonPart is literal JSON, or, when t is set, a templated string.
type jsonPart struct {
	lit []byte
	t   *tmpl
}

// static returns the encoded body when it holds no template.
func (b *jsonBody) static() ([]byte, bool) {
	if len(b.parts) == 1 && b.parts[0].t == nil {
		return b.parts[0].lit, true
	}
	return nil, false
}

// render encodes the body for one user, applying the typing rule to each
// templated string (see the package documentation).
func (b *jsonBody) render(vars Vars, rng *rand.Rand) ([]byte, *tmpl, error) {
	out := make([]byte, 0, b.size+32*len(b.parts))
	for _, p := range b.parts {
		if p.t == nil {
			out = append(out, p.lit...)
			continue
		}
		s, err := p.t.render(vars, rng)
		if err != nil {
			return nil, p.t, err
		}
		if p.t.single && isJSONLiteral(s) {
			out = append(out, s...)
		} else {
			out = appendJSONString(out, s)
		}
	}
	return out, nil, nil
}

// jsonCompiler turns a YAML value into jsonParts.
type jsonCompiler struct {
	d     *decoder
	parts []jsonPart
	cur   []byte // literal JSON not yet flushed into parts
}

func (d *decoder) jsonBody(n *yaml.Node, field string) *jsonBody {
	c := &jsonCompiler{d: d}
	c.value(n, field, 0)
	if len(c.cur) > 0 || len(c.parts) == 0 {
		c.parts = append(c.parts, jsonPart{lit: c.cur})
	}
	b := &jsonBody{parts: c.parts}
	for _, p := range b.parts {
		b.size += len(p.lit)
	}
	return b
}

func (c *jsonCompiler) value(n *yaml.Node, field string, depth int) {
	d := c.d
	if !d.spend(n, field) {
		return
	}
	if depth > maxJSONDepth {
		d.add(n.Line, field, "nested more than %d levels deep", maxJSONDepth)
		return
	}
	r := resolve(n)
	if d.expanding[r] {
		d.add(n.Line, field, "an alias refers to a node that contains it")
		return
	}
	switch r.Kind {
	case yaml.MappingNode:
		d.expanding[r] = true
		defer delete(d.expanding, r)
		c.cur = append(c.cur, '{')
		for i, e := range d.entries(r, field) {
			if i > 0 {
				c.cur = append(c.cur, ',')
			}
			c.cur = appendJSONString(c.cur, e.name)
			c.cur = append(c.cur, ':')
			c.value(e.value, fieldKey(field, e.name), depth+1)
		}
		c.cur = append(c.cur, '}')
	case yaml.SequenceNode:
		d.expanding[r] = true
		defer delete(d.expanding, r)
		c.cur = append(c.cur, '[')
		for i, item := range r.Content {
			if i > 0 {
				c.cur = append(c.cur, ',')
			}
			c.value(item, fieldIndex(field, i), depth+1)
		}
		c.cur = append(c.cur, ']')
	case yaml.ScalarNode:
		c.scalar(r, n.Line, field)
	default:
		d.add(n.Line, field, "unsupported YAML node")
	}
}

// scalar keeps YAML's types: null, booleans and numbers become JSON literals,
// strings (which may be templates) JSON strings.
func (c *jsonCompiler) scalar(r *yaml.Node, line int, field string) {
	switch r.ShortTag() {
	case "!!null":
		c.cur = append(c.cur, "null"...)
	case "!!bool", "!!int", "!!float":
		var v any
		if err := r.Decode(&v); err != nil {
			c.d.add(line, field, "%q: %v", r.Value, err)
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			c.d.add(line, field, "%q cannot be written in JSON", r.Value)
			return
		}
		c.cur = append(c.cur, b...)
	default: // strings, and tags JSON has no type for (timestamps, binary): their text
		t := c.d.template(r.Value, line, field)
		if t.full == nil && t.segs == nil {
			c.cur = appendJSONString(c.cur, t.literal)
			return
		}
		c.parts = append(c.parts, jsonPart{lit: c.cur}, jsonPart{t: t})
		c.cur = nil
	}
}

// isJSONLiteral reports whether s is exactly a JSON number, true, false or
// null: the values a single-action template string is emitted as, unquoted.
func isJSONLiteral(s string) bool {
	switch s {
	case "true", "false", "null":
		return true
	}
	return isJSONNumber(s)
}

// isJSONNumber follows RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// appendJSONString appends s as a JSON string. Unlike encoding/json it does
// not escape <, > and &, which a request body has no reason to; invalid UTF-8
// becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
