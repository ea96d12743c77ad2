//go:build unix

package h1

import (
	"syscall"
)

// alive reports whether the target has not closed the idle connection (nor
// sent anything unasked): one non-blocking peek at the socket.
func (c *conn) alive() bool {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := true
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		// Nothing to read is the one good answer: 0 bytes is the
		// target's close, and bytes nobody asked for spoil the next answer.
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		alive = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true // never wait
	})
	return err == nil && alive && (c.br == nil || c.br.Buffered() == 0)
}
