package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// readBody reads a whole request body. A body cut short by
// http.MaxBytesReader is a 413.
func readBody(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, readError(err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, badRequest("", "empty body: want a JSON object")
	}
	return data, nil
}

func readError(err error) *Error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("body larger than the limit of %d bytes", tooLarge.Limit)}
	}
	return badRequest("", "reading the body: %v", err)
}

// decodeObject decodes the JSON object in data field by field into targets
// (JSON key -> pointer), so that every error names its field: an unknown or
// repeated key, a value of the wrong type, or whatever a target's
// UnmarshalJSON returns. With top set, data must hold that one object and
// nothing after it.
func decodeObject(data []byte, targets map[string]any, top bool) *Error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return badRequest("", "want a JSON object, got %s", describeToken(tok))
	}
	seen := make(map[string]bool, len(targets))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		key, _ := tok.(string) // inside an object, json.Decoder only yields string keys
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxError(err)
		}
		target, known := targets[key]
		if !known {
			return badRequest(clip(key), "unknown field (known: %s)", knownFields(targets))
		}
		if seen[key] {
			return badRequest(key, "given twice")
		}
		seen[key] = true
		if err := json.Unmarshal(raw, target); err != nil {
			return valueError(key, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntaxError(err)
	}
	if top {
		if _, err := dec.Token(); err != io.EOF {
			return badRequest("", "unexpected data after the JSON object")
		}
	}
	return nil
}

func knownFields(targets map[string]any) string {
	keys := make([]string, 0, len(targets))
	for k := range targets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// valueError names field in err, an error from decoding its value.
func valueError(field string, err error) *Error {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		e := *apiErr
		return e.prefixField(field)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		e := badRequest(typeErr.Field, "want %s, got %s", describeType(typeErr.Type), typeErr.Value)
		return e.prefixField(field)
	}
	var synErr *json.SyntaxError
	if errors.As(err, &synErr) {
		return syntaxError(err).prefixField(field)
	}
	return badRequest(field, "%v", err)
}

func syntaxError(err error) *Error {
	var synErr *json.SyntaxError
	switch {
	case errors.As(err, &synErr):
		return badRequest("", "malformed JSON at byte %d: %v", synErr.Offset, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "malformed JSON: unexpected end of the body")
	}
	return badRequest("", "malformed JSON: %v", err)
}

func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return string(v)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer within range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}
