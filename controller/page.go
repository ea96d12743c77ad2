package controller

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

//go:embed status.html
var statusPageSource string

// statusPage is the template of GET /: read-only, server-rendered, with no
// assets from elsewhere.
var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"percent": func(f float64) float64 { return f * 100 },
	"ago":     func(now, t time.Time) time.Duration { return now.Sub(t).Round(100 * time.Millisecond) },
}).Parse(statusPageSource))

type pageData struct {
	Version string
	Now     time.Time
	Status  api.Status
	Workers []api.WorkerInfo
}

func (c *Controller) handlePage(w http.ResponseWriter, _ *http.Request) {
	data := pageData{Version: c.opts.Version, Now: c.now(), Status: c.Status(), Workers: c.Workers()}
	var b bytes.Buffer
	if err := statusPage.Execute(&b, data); err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, _ = w.Write(b.Bytes())
}
