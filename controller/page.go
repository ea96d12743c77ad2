package controller

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

var (
	//go:embed status.html
	statusPageSource string
	//go:embed login.html
	loginPageSource string
	//go:embed assets/control.js
	controlJS []byte
)

// pathControlJS serves the control page's script: same origin, so the
// page's Content-Security-Policy allows no other script.
const pathControlJS = "/assets/control.js"

// pageCSP lets the page run only its own script and call only its own API.
const pageCSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

var pageFuncs = template.FuncMap{
	"percent": func(f float64) float64 { return f * 100 },
	"ago":     func(now, t time.Time) time.Duration { return now.Sub(t).Round(100 * time.Millisecond) },
}

// statusPage is the template of GET /: the control page, server-rendered
// and refreshed by its own script, with no assets from elsewhere.
var statusPage = template.Must(template.New("status").Funcs(pageFuncs).Parse(statusPageSource))

// loginPage asks for the API token when one is set.
var loginPage = template.Must(template.New("login").Parse(loginPageSource))

type pageData struct {
	Version    string
	Now        time.Time
	Status     api.Status
	Workers    []api.WorkerInfo
	CSRFToken  string // empty without an API token
	GrafanaURL string
	RunQuery   string // the Grafana variable of the run: "var-run=<id>"
}

func (c *Controller) handlePage(w http.ResponseWriter, r *http.Request) {
	var csrf string
	if c.opts.Token != "" {
		sid := c.sessions.session(r, c.now())
		if sid == "" {
			c.writeLogin(w, http.StatusUnauthorized, "")
			return
		}
		csrf = c.sessions.csrfToken(sid)
	}
	data := pageData{
		Version: c.opts.Version, Now: c.now(), Status: c.Status(), Workers: c.Workers(), CSRFToken: csrf,
		GrafanaURL: strings.TrimRight(c.opts.GrafanaURL, "/"),
	}
	if data.Status.Run != nil {
		data.RunQuery = url.Values{"var-run": {data.Status.Run.ID}}.Encode()
	}
	var b bytes.Buffer
	if err := statusPage.Execute(&b, data); err != nil {
		writeError(w, err)
		return
	}
	writeHTML(w, http.StatusOK, b.Bytes())
}

// handleLogin takes the API token from the login form and starts a
// session: an HttpOnly, SameSite=Strict cookie.
func (c *Controller) handleLogin(w http.ResponseWriter, r *http.Request) {
	if c.opts.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !validToken(c.opts.Token, r.PostForm.Get("token")) {
		c.log.Warn("control page login refused", "remote", r.RemoteAddr)
		c.writeLogin(w, http.StatusUnauthorized, "That is not the API token.")
		return
	}
	http.SetCookie(w, c.sessions.newCookie(c.now(), r.TLS != nil))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (c *Controller) writeLogin(w http.ResponseWriter, status int, message string) {
	var b bytes.Buffer
	if err := loginPage.Execute(&b, struct{ Version, Error string }{c.opts.Version, message}); err != nil {
		writeError(w, err)
		return
	}
	writeHTML(w, status, b.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func handleControlJS(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(controlJS)
}
