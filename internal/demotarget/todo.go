package demotarget

import (
	"net/http"
	"strconv"
)

// listLimit caps GET /todo, whose cost grows with the store.
const listLimit = 1000

func (s *Server) createTodo(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in createBody
	if err := decodeObject(body, &in); err != nil {
		s.writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.writeItem(w, http.StatusCreated, s.items.create(in.Description, in.Completed))
}

func (s *Server) listTodos(w http.ResponseWriter, _ *http.Request, _ []byte) {
	s.writeJSON(w, http.StatusOK, s.items.list(listLimit))
}

func (s *Server) getTodo(w http.ResponseWriter, r *http.Request, _ []byte) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	item, found := s.items.get(id)
	if !found {
		s.writeNotFound(w, id)
		return
	}
	s.writeItem(w, http.StatusOK, item)
}

func (s *Server) updateTodo(w http.ResponseWriter, r *http.Request, body []byte) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in updateBody
	if err := decodeObject(body, &in); err != nil {
		s.writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	item, found := s.items.update(id, itemPatch{Description: in.Description, Completed: in.Completed})
	if !found {
		s.writeNotFound(w, id)
		return
	}
	s.writeItem(w, http.StatusOK, item)
}

func (s *Server) deleteTodo(w http.ResponseWriter, r *http.Request, _ []byte) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if !s.items.remove(id) {
		s.writeNotFound(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pathID parses the {id} of the path, answering 400 itself when it is not
// a decimal integer.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	text := r.PathValue("id")
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "id "+strconv.Quote(text)+" is not a decimal integer")
		return 0, false
	}
	return id, true
}

func (s *Server) writeNotFound(w http.ResponseWriter, id int64) {
	s.writeError(w, http.StatusNotFound, "no item with id "+strconv.FormatInt(id, 10))
}
