package controller

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/stampedehq/stampede/controller/api"
)

// writeJSON writes v as the JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		writeError(w, &api.Error{Status: http.StatusInternalServerError, Message: "encoding the answer: " + err.Error()})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// writeError answers with err as {"error": "...", "field": "..."}.
func writeError(w http.ResponseWriter, err error) {
	e := api.AsError(err)
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, e)
}

// notFound answers unknown paths.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, &api.Error{Status: http.StatusNotFound, Message: "no such path: " + r.URL.Path + " (see GET / for the API)"})
}

// methodNotAllowed answers a known path asked with the wrong method, and
// says which methods it takes.
func methodNotAllowed(router *mux.Router) http.Handler {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			var match mux.RouteMatch
			if router.Match(probe, &match) && match.MatchErr == nil {
				allowed = append(allowed, m)
			}
		}
		allow := strings.Join(allowed, ", ")
		w.Header().Set("Allow", allow)
		writeError(w, &api.Error{Status: http.StatusMethodNotAllowed, Message: r.Method + " is not allowed on " + r.URL.Path + "; use " + allow})
	})
}
