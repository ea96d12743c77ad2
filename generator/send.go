package generator

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// send sends req as http.Client.Do would (cookies from and to the user's
// jar, redirects followed, errors wrapped in *url.Error), but hands the
// request straight to the transport: the client's per-request work
// (copying the headers for redirects that seldom come, wrapping the
// request) is a good part of a worker's cost against a fast target.
//
// When the response is a redirect, the user's client follows it from the
// response in hand, so redirects behave exactly as with http.Client and no
// request is sent twice. Requests with credentials in the URL go through the
// client, which turns them into an Authorization header.
func (u *user) send(req *http.Request) (*http.Response, error) {
	if req.URL.User != nil {
		req.Header = req.Header.Clone() // the client adds the jar's cookies to it
		return u.client.Do(req)
	}
	header := req.Header // without the jar's cookies, for a redirect
	if u.jar.holdsCookies() {
		req.Header = header.Clone() // it may be shared with other users' requests
		for _, c := range u.jar.Cookies(cookieURL(req)) {
			req.AddCookie(c)
		}
	}
	resp, err := u.e.transport.RoundTrip(req)
	if err != nil {
		var tlsErr tls.RecordHeaderError
		if errors.As(err, &tlsErr) && string(tlsErr.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch
		}
		return nil, &url.Error{Op: urlErrorOp(req.Method), URL: req.URL.String(), Err: err}
	}
	if cookies := resp.Cookies(); len(cookies) > 0 {
		u.jar.SetCookies(cookieURL(req), cookies)
	}
	if !isRedirect(resp) {
		return resp, nil
	}
	first := req.WithContext(req.Context())
	first.Header = header.Clone() // the client adds the jar's cookies itself
	u.replay.first = resp
	resp, err = u.client.Do(first)
	if u.replay.first != nil { // the client failed before asking for it
		u.replay.first.Body.Close()
		u.replay.first = nil
	}
	return resp, err
}

// isRedirect reports whether http.Client may follow resp.
func isRedirect(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return resp.Header.Get("Location") != ""
	}
	return false
}

// cookieURL is the URL whose cookies a request carries, as http.Client
// picks it: the URL, with the Host header's host when one is set.
func cookieURL(req *http.Request) *url.URL {
	if req.Host == "" || req.Host == req.URL.Host {
		return req.URL
	}
	u := *req.URL
	u.Host = req.Host
	return &u
}

// urlErrorOp is the Op of http.Client's *url.Error: "Get", "Post", ...
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// replayTransport hands http.Client a response already received, as the
// answer to the first request of a Do, then sends the rest (the redirects)
// through the shared transport.
type replayTransport struct {
	next  http.RoundTripper
	first *http.Response // consumed by the next RoundTrip
}

// RoundTrip implements http.RoundTripper.
func (t *replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if resp := t.first; resp != nil {
		t.first = nil
		return resp, nil
	}
	return t.next.RoundTrip(req)
}
