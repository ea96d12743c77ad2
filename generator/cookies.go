package generator

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
)

// lazyJar is a user's cookie jar, created at the first Set-Cookie the user
// receives. Until then, asking it for cookies costs nothing: most load
// targets set no cookies, and cookiejar.Jar parses the host, takes a lock
// and reads the clock on every request even when it is empty.
//
// A user runs one request at a time, and http.Client calls the jar from the
// goroutine that called Do, so lazyJar needs no lock of its own.
type lazyJar struct {
	jar *cookiejar.Jar // nil until a response sets a cookie
}

// Cookies implements http.CookieJar.
func (j *lazyJar) Cookies(u *url.URL) []*http.Cookie {
	if j.jar == nil {
		return nil
	}
	return j.jar.Cookies(u)
}

// SetCookies implements http.CookieJar; http.Client calls it only when a
// response sets cookies.
func (j *lazyJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if j.jar == nil {
		j.jar, _ = cookiejar.New(nil) // never fails without options
	}
	j.jar.SetCookies(u, cookies)
}

// holdsCookies reports whether a response has set a cookie since the last reset.
func (j *lazyJar) holdsCookies() bool { return j.jar != nil }

// reset forgets every cookie.
func (j *lazyJar) reset() { j.jar = nil }
