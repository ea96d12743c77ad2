package demotarget

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxBodyBytes bounds a request body; a ToDo item is a few hundred bytes.
const maxBodyBytes = 64 << 10

// createBody is the body of POST /todo.
type createBody struct {
	Description string
	Completed   bool
	ID          ignoredID `json:"Id"`
}

// updateBody is the body of PUT /todo/{id}; absent fields keep their value.
type updateBody struct {
	Description *string
	Completed   *bool
	ID          ignoredID `json:"Id"`
}

// ignoredID accepts the Id a client echoes back in a body (Locust sends the
// item it got, a templated scenario may send the id as a string) and drops
// it: the path, or the store, decides the id.
type ignoredID struct{}

// UnmarshalJSON accepts a number, a string or null.
func (*ignoredID) UnmarshalJSON(raw []byte) error {
	// encoding/json has checked that raw is one valid JSON value.
	switch raw[0] {
	case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return nil
	}
	return errors.New("the Id must be a number or a string")
}

// decodeObject decodes a JSON object body into v.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New(`the body must be a JSON object, like {"Description": "buy milk", "Completed": false}`)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errors.New("invalid JSON body: " + err.Error())
	}
	return nil
}

// bodyBuffer returns a pooled body buffer; put it back with s.bodies.Put.
func (s *Server) bodyBuffer() *[]byte {
	if buf, ok := s.bodies.Get().(*[]byte); ok {
		return buf
	}
	buf := make([]byte, 0, 512)
	return &buf
}

// readBody reads r's body into *buf, answering 413 or 400 itself when it
// cannot; ok is false then.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, buf *[]byte) (body []byte, ok bool) {
	if r.ContentLength > maxBodyBytes {
		s.writeError(w, http.StatusRequestEntityTooLarge, "request body is larger than 64 KiB")
		return nil, false
	}
	// One byte past the limit tells a too large body of unknown length.
	limited := io.LimitedReader{R: r.Body, N: maxBodyBytes + 1}
	b := (*buf)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		n, err := limited.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*buf = b
			s.writeError(w, http.StatusBadRequest, "reading the request body: "+err.Error())
			return nil, false
		}
	}
	*buf = b
	if len(b) > maxBodyBytes {
		s.writeError(w, http.StatusRequestEntityTooLarge, "request body is larger than 64 KiB")
		return nil, false
	}
	return b, true
}
