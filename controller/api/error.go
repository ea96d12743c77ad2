package api

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an API error: what the controller answers with a non-2xx status,
// as {"error": "...", "field": "..."}, and what a Client returns then.
// Field names the JSON field of the request to fix ("stages[1].duration"),
// or is empty when the problem is not with one field.
type Error struct {
	Status  int    `json:"-"` // HTTP status code
	Message string `json:"error"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// badRequest is a 400 about field.
func badRequest(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}

// AsError returns err as an *Error: itself when it is one (or wraps one),
// else a 500 with err's message.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Message: err.Error()}
}

// prefixField puts parent in front of e's field: "stages" + "[1].target" ->
// "stages[1].target", "thresholds[0]" + "max" -> "thresholds[0].max".
func (e *Error) prefixField(parent string) *Error {
	switch {
	case parent == "":
	case e.Field == "":
		e.Field = parent
	case e.Field[0] == '[':
		e.Field = parent + e.Field
	default:
		e.Field = parent + "." + e.Field
	}
	return e
}
