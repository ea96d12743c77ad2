package scenario

import "strings"

// Targets lists where the scenario sends requests, as far as is known
// before it runs: the base URL, and the scheme and host of every absolute
// step URL whose host is written out (not built by a template). An
// allowlist checks these before any load starts; hosts that only templates
// know are checked by the worker when it dials them.
func (s *Scenario) Targets() []string {
	var out []string
	if s.BaseURL != "" {
		out = append(out, s.BaseURL)
	}
	seen := map[string]bool{}
	for _, t := range s.Tasks {
		for _, st := range t.Steps {
			if !st.req.absolute {
				continue
			}
			if origin, ok := knownOrigin(st.req.target); ok && !seen[origin] {
				seen[origin] = true
				out = append(out, origin)
			}
		}
	}
	return out
}

// knownOrigin is scheme://host of a URL template whose host is literal text.
func knownOrigin(t *tmpl) (string, bool) {
	text := t.literal
	switch {
	case t.full != nil:
		return "", false
	case len(t.segs) > 0:
		if t.segs[0].name != "" {
			return "", false
		}
		text = t.segs[0].text
	}
	scheme, rest, ok := strings.Cut(text, "://")
	if !ok {
		return "", false
	}
	host, _, complete := strings.Cut(rest, "/")
	if !complete && (t.full != nil || len(t.segs) > 1) {
		return "", false // the host goes on in a template
	}
	if i := strings.IndexAny(host, "?#"); i >= 0 {
		host = host[:i]
	}
	if host == "" {
		return "", false
	}
	return scheme + "://" + host, true
}
