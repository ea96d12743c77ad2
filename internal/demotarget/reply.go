package demotarget

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Content types, shared by every response: assigning the header slice
// directly skips Header.Set's allocation and canonicalization. They are
// never modified.
var (
	jsonContentType = []string{"application/json"}
	textContentType = []string{"text/plain; charset=utf-8"}
)

// errorBody is the JSON body of every error response.
type errorBody struct {
	Error string `json:"error"`
}

// jsonEncoder is a reusable JSON encoder with its buffer, and room for the
// item being encoded, so that encoding an item allocates nothing.
type jsonEncoder struct {
	buf  bytes.Buffer
	enc  *json.Encoder // writes to buf
	item Item
}

// encoder returns a pooled jsonEncoder; writeEncoded puts it back.
func (s *Server) encoder() *jsonEncoder {
	if e, ok := s.encoders.Get().(*jsonEncoder); ok {
		return e
	}
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	return e
}

// writeItem answers status with item as JSON.
func (s *Server) writeItem(w http.ResponseWriter, status int, item Item) {
	e := s.encoder()
	e.item = item
	s.writeEncoded(w, status, e, &e.item)
}

// writeJSON answers status with v as JSON.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	s.writeEncoded(w, status, s.encoder(), v)
}

// writeError answers status with a JSON error message.
func (s *Server) writeError(w http.ResponseWriter, status int, message string) {
	s.writeJSON(w, status, errorBody{Error: message})
}

// writeEncoded encodes v with e, answers status with it, and puts e back.
func (s *Server) writeEncoded(w http.ResponseWriter, status int, e *jsonEncoder, v any) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		// Only the package's own types are encoded, and they always encode.
		e.buf.Reset()
		status = http.StatusInternalServerError
		e.buf.WriteString(`{"error":"encoding the response failed"}` + "\n")
	}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(e.buf.Bytes())
	e.item = Item{}
	if e.buf.Cap() <= maxPooledBuffer {
		s.encoders.Put(e)
	}
}

// maxPooledBuffer keeps a large list response's buffer out of the pool.
const maxPooledBuffer = 64 << 10
