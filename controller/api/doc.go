// Package api is the contract between stampede workers, `stampede ctl` and
// the controller: the JSON wire types of the controller's HTTP API, the
// strict decoders the controller reads request bodies with, and a Go client.
//
// JSON keys are snake_case; durations are Go duration strings ("2s").
// Request bodies are decoded strictly: unknown fields, trailing data and
// values out of range are errors that name the JSON field to fix (an
// *Error). Every API error comes back to a Client as an *Error carrying the
// HTTP status code, the message and the field.
//
// The package stays light (the standard library, metrics and scenario), since
// every worker imports it.
package api
