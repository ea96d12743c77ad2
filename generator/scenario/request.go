package scenario

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"gopkg.in/yaml.v3"
)

// methods are the HTTP methods a step may use.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// request is a step's compiled request.
type request struct {
	target   *tmpl // the path (relative to the base URL) or, when absolute, the URL
	absolute bool
	query    []queryParam
	headers  []header
	// Exactly one of raw and json is set when the request has a body.
	raw             *tmpl
	json            *jsonBody
	jsonStatic      []byte // json's bytes when it holds no template
	userContentType bool   // a Content-Type header overrides application/json
	// static is true when no part of the request holds a template: it is
	// then built once (per base URL and user agent) and shared, see
	// NewSharedRequest.
	static bool
	shared atomic.Pointer[sharedRequest]
}

// sharedRequest is a static step's request, built once and never sent
// itself: each call sends a shallow copy, sharing its URL and Header.
type sharedRequest struct {
	base, userAgent string
	req             *http.Request
}

type queryParam struct {
	escapedKey string
	value      *tmpl
}

type header struct {
	key   string // canonical
	value *tmpl
}

func (d *decoder) request(n *yaml.Node, field string, st *Step) {
	f, ok := d.fields(n, field, "method", "path", "url", "headers", "query", "json", "body")
	if !ok {
		return
	}
	st.Method = http.MethodGet
	if v := f["method"]; !isNull(v) {
		if m, ok := d.str(v, field+".method"); ok {
			st.Method = strings.ToUpper(m)
			if !slices.Contains(methods, st.Method) {
				d.add(lineOf(v), field+".method", "%q is not an HTTP method (want %s)", m, strings.Join(methods, ", "))
			}
		}
	}
	r := &st.req
	path, url := f["path"], f["url"]
	switch {
	case !isNull(path) && !isNull(url):
		d.add(lineOf(url), field, "both path and url are set; want one")
	case isNull(path) && isNull(url):
		d.add(n.Line, field, "want path (relative to base_url) or url (absolute)")
	case !isNull(path):
		r.target = d.requestPath(path, field+".path")
	default:
		r.target, r.absolute = d.requestURL(url, field+".url"), true
	}
	if v := f["headers"]; !isNull(v) {
		r.headers = d.headers(v, field+".headers")
	}
	if v := f["query"]; !isNull(v) {
		r.query = d.query(v, field+".query")
	}
	jsonNode, hasJSON := f["json"]
	body, hasBody := f["body"]
	hasBody = hasBody && !isNull(body)
	switch {
	case hasJSON && hasBody:
		d.add(lineOf(body), field, "both json and body are set; want one")
	case hasJSON:
		r.json = d.jsonBody(jsonNode, field+".json")
		r.jsonStatic, _ = r.json.static()
	case hasBody:
		if b := resolve(body); b.Kind != yaml.ScalarNode {
			d.add(body.Line, field+".body", "want a string, got %s (use json: for a structured body)", describe(b))
		} else {
			r.raw = d.template(b.Value, body.Line, field+".body")
		}
	}
	r.static = r.target.isLiteral() && (r.json == nil || r.jsonStatic != nil) && (r.raw == nil || r.raw.isLiteral())
	for _, h := range r.headers {
		if h.key == "Content-Type" {
			r.userContentType = true
		}
		r.static = r.static && h.value.isLiteral()
	}
	for _, q := range r.query {
		r.static = r.static && q.value.isLiteral()
	}
}

func (d *decoder) requestPath(n *yaml.Node, field string) *tmpl {
	s, ok := d.str(n, field)
	if !ok {
		return nil
	}
	if !strings.HasPrefix(s, "/") {
		d.add(n.Line, field, "%q must start with / (it is relative to base_url; use url: for an absolute URL)", s)
		return nil
	}
	t := d.template(s, n.Line, field)
	if t.full == nil && t.segs == nil {
		if _, err := url.ParseRequestURI(s); err != nil {
			d.add(n.Line, field, "%q is not a valid path: %v", s, unwrapURLError(err))
		}
	}
	return t
}

func (d *decoder) requestURL(n *yaml.Node, field string) *tmpl {
	s, ok := d.str(n, field)
	if !ok {
		return nil
	}
	t := d.template(s, n.Line, field)
	if t.full == nil && t.segs == nil {
		if err := checkHTTPURL(s); err != nil {
			d.add(n.Line, field, "%v", err)
		}
		return t
	}
	// A templated URL is checked as far as its text before the first action.
	prefix, _, _ := strings.Cut(s, "{{")
	lower := strings.ToLower(prefix)
	if prefix != "" && !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		d.add(n.Line, field, "%q is not an absolute http or https URL", s)
	}
	return t
}

// checkHTTPURL checks an absolute http or https URL.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil && strings.Contains(s, "://") {
		return fmt.Errorf("%q is not a URL: %v", s, unwrapURLError(err))
	}
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL (want e.g. http://127.0.0.1:8080)", s)
	}
	return nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

func (d *decoder) headers(n *yaml.Node, field string) []header {
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		d.add(n.Line, field, "want a mapping of header names to values, got %s", describe(r))
		return nil
	}
	var out []header
	seen := make(map[string]string)
	for _, e := range d.entries(r, field) {
		path := fieldKey(field, e.name)
		if !validToken(e.name) {
			d.add(e.key.Line, path, "%q is not a valid header name", e.name)
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(e.name)
		if first, dup := seen[key]; dup {
			d.add(e.key.Line, path, "header %q is also set as %q", e.name, first)
			continue
		}
		seen[key] = e.name
		v, ok := d.str(e.value, path)
		if !ok {
			continue
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			d.add(lineOf(e.value), path, "a header value cannot hold a line break or NUL")
			continue
		}
		out = append(out, header{key: key, value: d.template(v, lineOf(e.value), path)})
	}
	return out
}

func (d *decoder) query(n *yaml.Node, field string) []queryParam {
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		d.add(n.Line, field, "want a mapping of parameter names to values, got %s", describe(r))
		return nil
	}
	var out []queryParam
	for _, e := range d.entries(r, field) {
		path := fieldKey(field, e.name)
		v, ok := d.str(e.value, path)
		if !ok {
			continue
		}
		out = append(out, queryParam{escapedKey: url.QueryEscape(e.name), value: d.template(v, lineOf(e.value), path)})
	}
	// Sorted by name, as url.Values.Encode does.
	slices.SortStableFunc(out, func(a, b queryParam) int { return strings.Compare(a.escapedKey, b.escapedKey) })
	return out
}

// NewRequest renders the step's request for one user. base is the scenario
// BaseURL (ignored for steps with an absolute url); vars are the user's
// variables; rng is the user's random source for lorem, uuid and randInt
// (math/rand/v2's global source when nil). Errors (template execution, a
// missing variable, no base URL) are *FieldError naming the step and field.
// NewRequest is safe for concurrent use.
func (st *Step) NewRequest(ctx context.Context, base string, vars Vars, rng *rand.Rand) (*http.Request, error) {
	r := &st.req
	if r.target == nil {
		return nil, &FieldError{File: st.source, Line: st.line, Field: st.field, Msg: fmt.Sprintf("step %q has no request", st.Name)}
	}
	target, err := r.target.render(vars, rng)
	if err != nil {
		return nil, st.renderError(r.target, err)
	}
	u := target
	if !r.absolute {
		if base == "" {
			return nil, st.renderError(r.target, fmt.Errorf("the path is relative and no base URL is set (set base_url or --target)"))
		}
		u = strings.TrimSuffix(base, "/") + target
	}
	if len(r.query) > 0 {
		if u, err = st.appendQuery(u, vars, rng); err != nil {
			return nil, err
		}
	}
	var body io.Reader
	switch {
	case r.jsonStatic != nil:
		body = bytes.NewReader(r.jsonStatic)
	case r.json != nil:
		b, failed, err := r.json.render(vars, rng)
		if err != nil {
			return nil, st.renderError(failed, err)
		}
		body = bytes.NewReader(b)
	case r.raw != nil:
		s, err := r.raw.render(vars, rng)
		if err != nil {
			return nil, st.renderError(r.raw, err)
		}
		body = strings.NewReader(s)
	}
	req, err := http.NewRequestWithContext(ctx, st.Method, u, body)
	if err != nil {
		return nil, st.renderError(r.target, fmt.Errorf("bad URL %q: %v", u, unwrapURLError(err)))
	}
	if len(r.headers) > 0 || r.json != nil {
		req.Header = make(http.Header, len(r.headers)+1)
	}
	if r.json != nil && !r.userContentType {
		req.Header["Content-Type"] = []string{"application/json"}
	}
	for _, h := range r.headers {
		v, err := h.value.render(vars, rng)
		if err != nil {
			return nil, st.renderError(h.value, err)
		}
		if h.key == "Host" {
			req.Host = v // net/http sends req.Host, not a Host header
			continue
		}
		req.Header[h.key] = []string{v}
	}
	return req, nil
}

// NewSharedRequest is NewRequest for a caller that treats the request's URL
// and Header as read-only (clone them before changing them; the Body is the
// request's own). It sets the User-Agent header to userAgent when the step
// sets none and userAgent is not empty. A step whose path or URL, query,
// headers and body hold no template is then built once per base URL and
// user agent, and every call returns a shallow copy sharing its URL and
// Header: the cost of parsing the URL and building the header, paid on every
// request of a load test, disappears. Other steps are built on every call,
// as by NewRequest. NewSharedRequest is safe for concurrent use.
func (st *Step) NewSharedRequest(ctx context.Context, base string, vars Vars, rng *rand.Rand, userAgent string) (*http.Request, error) {
	r := &st.req
	if !r.static {
		return st.newRequestWithUserAgent(ctx, base, vars, rng, userAgent)
	}
	s := r.shared.Load()
	if s == nil || s.base != base || s.userAgent != userAgent {
		req, err := st.newRequestWithUserAgent(context.Background(), base, vars, rng, userAgent)
		if err != nil {
			return nil, err
		}
		s = &sharedRequest{base: base, userAgent: userAgent, req: req}
		r.shared.Store(s)
	}
	req := s.req.WithContext(ctx)
	if s.req.GetBody != nil {
		body, err := s.req.GetBody() // a new reader over the same bytes; never fails for them
		if err != nil {
			return nil, st.renderError(r.target, err)
		}
		req.Body = body
	}
	return req, nil
}

func (st *Step) newRequestWithUserAgent(ctx context.Context, base string, vars Vars, rng *rand.Rand, userAgent string) (*http.Request, error) {
	req, err := st.NewRequest(ctx, base, vars, rng)
	if err != nil || userAgent == "" {
		return req, err
	}
	if req.Header == nil {
		req.Header = make(http.Header, 1)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header["User-Agent"] = []string{userAgent}
	}
	return req, nil
}

func (st *Step) appendQuery(u string, vars Vars, rng *rand.Rand) (string, error) {
	var b strings.Builder
	b.Grow(len(u) + 16*len(st.req.query))
	b.WriteString(u)
	sep := byte('?')
	if strings.Contains(u, "?") {
		sep = '&'
	}
	for _, q := range st.req.query {
		v, err := q.value.render(vars, rng)
		if err != nil {
			return "", st.renderError(q.value, err)
		}
		b.WriteByte(sep)
		b.WriteString(q.escapedKey)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
		sep = '&'
	}
	return b.String(), nil
}

func (st *Step) renderError(t *tmpl, err error) error {
	return &FieldError{File: st.source, Line: t.line, Field: t.field, Msg: fmt.Sprintf("step %q: %v", st.Name, err)}
}
