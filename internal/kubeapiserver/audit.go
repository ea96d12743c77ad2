package kubeapiserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// AuditEvent is what the audit log says of one request of a service
// account: who asked for what, and the status code it got.
type AuditEvent struct {
	Verb        string
	User        string
	Namespace   string
	Resource    string
	Subresource string
	Name        string
	Code        int
}

// auditLine is the part of an audit.k8s.io/v1 Event that AuditEvent keeps.
type auditLine struct {
	Verb string `json:"verb"`
	User struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Namespace   string `json:"namespace"`
		Resource    string `json:"resource"`
		Subresource string `json:"subresource"`
		Name        string `json:"name"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
}

// ReadAudit reads the cluster's audit log (see AuditLogPath).
func (c *Cluster) ReadAudit() ([]AuditEvent, error) {
	f, err := os.Open(c.auditLog)
	if os.IsNotExist(err) {
		return nil, nil // no service account has asked anything yet
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseAudit(f)
}

// ParseAudit reads an audit log in kube-apiserver's JSON-lines format. A
// line that is not an event is an error naming its line number; a last
// line cut short (the server was writing it) is left out.
func ParseAudit(r io.Reader) ([]AuditEvent, error) {
	var events []AuditEvent
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 4<<20)
	var pending error
	for n := 1; scanner.Scan(); n++ {
		if pending != nil {
			return nil, pending
		}
		line := bytes.TrimSpace(scanner.Bytes())
		if len(line) == 0 {
			continue
		}
		var l auditLine
		if err := json.Unmarshal(line, &l); err != nil {
			pending = fmt.Errorf("audit log line %d: %w", n, err)
			continue
		}
		e := AuditEvent{Verb: l.Verb, User: l.User.Username}
		if l.ObjectRef != nil {
			e.Namespace, e.Resource, e.Subresource, e.Name = l.ObjectRef.Namespace, l.ObjectRef.Resource, l.ObjectRef.Subresource, l.ObjectRef.Name
		}
		if l.ResponseStatus != nil {
			e.Code = l.ResponseStatus.Code
		}
		events = append(events, e)
	}
	return events, scanner.Err()
}
