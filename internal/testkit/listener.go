package testkit

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Listener counts the connections it accepts, so that a test can tell how often a client tried
// even when no attempt reached a handler (a TLS handshake with a plain-HTTP server, a
// connection dropped at once) and no request log could show it.
type Listener struct {
	net.Listener
	accepted atomic.Int64
}

// Listen listens on a free loopback port until the test ends.
func Listen(t testing.TB) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &Listener{Listener: ln}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// Accepted is how many connections the listener has accepted so far.
func (l *Listener) Accepted() int { return int(l.accepted.Load()) }

// Serve serves h on the listener, in plain HTTP, until the test ends.
func (l *Listener) Serve(t testing.TB, h http.Handler) {
	server := httptest.NewUnstartedServer(h)
	_ = server.Listener.Close()
	server.Listener = l
	server.Start()
	t.Cleanup(server.Close)
}

// HangUp closes every connection as soon as it is accepted, until the listener is closed: a
// server that drops each attempt before it answers.
func (l *Listener) HangUp() {
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
}

// ClosedPort returns a loopback address on which nothing listens: connecting to it is refused.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
