//go:build !unix

package h1

// alive cannot peek at the socket here: a closed connection shows when it
// is used, and a replayable request is sent again.
func (c *conn) alive() bool { return (c.br == nil || c.br.Buffered() == 0) }
