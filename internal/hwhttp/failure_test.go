package hwhttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// transportCase is an error that came without a response, as the retrying client's rules see
// it, and what the rules must make of it.
type transportCase struct {
	name string
	// says is a fragment of the error's text, which shows that produce made the error meant.
	says string
	// produce makes the error, for real where that is cheap, and returns the context the
	// request ran in.
	produce func(t *testing.T) (context.Context, error)
	// retried: by RetryIdempotent (GET, PUT, DELETE) and by RetryUnsent (COC's POST).
	idempotent, post bool
	// notSent: the error proves that the request never reached the server.
	notSent bool
	// problem is a fragment of TransportProblem's answer; "" when there must be none.
	problem string
}

func TestTransportErrorsRetriedOrNot(t *testing.T) {
	background := func(err error) (context.Context, error) { return context.Background(), err }
	cases := []transportCase{
		{name: "plain HTTP answers an https:// URL", says: "server gave HTTP response to HTTPS client", problem: "speaks plain HTTP", notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				server := httptest.NewServer(http.NotFoundHandler())
				t.Cleanup(server.Close)
				return background(get(t, http.DefaultClient, "https://"+server.Listener.Addr().String()+"/"))
			}},
		{name: "another protocol answers an https:// URL", says: "first record does not look like a TLS handshake", problem: "does not speak TLS", notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				addr := serveRaw(t, func(c net.Conn) { _, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n") })
				return background(get(t, http.DefaultClient, "https://"+addr+"/"))
			}},
		{name: "certificate of an unknown authority", says: "certificate signed by unknown authority", problem: "not signed by an authority this machine trusts", notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				server := newTLSServer(t, nil)
				return background(get(t, http.DefaultClient, server.URL))
			}},
		{name: "certificate of another host", says: "not coc.example", problem: "not valid for coc.example", notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				server := newTLSServer(t, nil)
				transport := server.Client().Transport.(*http.Transport).Clone() //nolint:forcetypeassert // httptest's
				transport.TLSClientConfig.ServerName = "coc.example"
				return background(get(t, &http.Client{Transport: transport}, server.URL))
			}},
		{name: "expired certificate", says: "expired", problem: "has expired", notSent: true,
			produce: func(*testing.T) (context.Context, error) {
				return background(&url.Error{Op: "Get", URL: "https://coc.example/", Err: &tls.CertificateVerificationError{
					Err: x509.CertificateInvalidError{Reason: x509.Expired, Detail: "current time is after NotAfter"}}})
			}},
		{name: "server refuses the TLS version", says: "remote error: tls: protocol version not supported", problem: "refused the TLS handshake",
			produce: func(t *testing.T) (context.Context, error) {
				server := newTLSServer(t, &tls.Config{MinVersion: tls.VersionTLS13})
				transport := server.Client().Transport.(*http.Transport).Clone() //nolint:forcetypeassert // httptest's
				transport.TLSClientConfig.MaxVersion = tls.VersionTLS12
				return background(get(t, &http.Client{Transport: transport}, server.URL))
			}},
		{name: "host name that does not exist", says: "no such host", problem: `host name "coc.invalid" does not exist`, notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				return background(get(t, clientResolvingWith(t, dnsNameError), "http://coc.invalid/"))
			}},
		{name: "URL with an unsupported scheme", says: "unsupported protocol scheme", problem: "not one the client can send a request to", notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				return background(get(t, http.DefaultClient, "ftp://coc.example/"))
			}},
		{name: "connection refused", says: "connection refused", idempotent: true, post: true, notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				return background(get(t, http.DefaultClient, "http://"+testkit.ClosedPort(t)+"/"))
			}},
		{name: "temporary DNS failure", says: "server misbehaving", idempotent: true, post: true, notSent: true,
			produce: func(t *testing.T) (context.Context, error) {
				return background(get(t, clientResolvingWith(t, dnsServerFailure), "http://coc.invalid/"))
			}},
		{name: "connect timeout", says: "i/o timeout", idempotent: true, post: true, notSent: true,
			produce: func(*testing.T) (context.Context, error) {
				return background(&url.Error{Op: "Post", URL: "https://coc.example/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: timeoutError{}}})
			}},
		{name: "connection closed after the request", says: "EOF", idempotent: true,
			produce: func(t *testing.T) (context.Context, error) {
				addr := serveRaw(t, func(c net.Conn) { _, _ = http.ReadRequest(bufio.NewReader(c)) })
				return background(get(t, http.DefaultClient, "http://"+addr+"/"))
			}},
		{name: "connection reset after the request", says: "connection reset by peer", idempotent: true,
			produce: func(*testing.T) (context.Context, error) {
				return background(&url.Error{Op: "Post", URL: "https://coc.example/", Err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}})
			}},
		{name: "attempt timed out awaiting the answer", says: "Client.Timeout exceeded", idempotent: true,
			produce: func(t *testing.T) (context.Context, error) {
				server := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
				t.Cleanup(server.Close)
				return background(get(t, &http.Client{Timeout: 50 * time.Millisecond}, server.URL))
			}},
		{name: "call cancelled", says: "context canceled",
			produce: func(t *testing.T) (context.Context, error) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, getWithContext(ctx, t, http.DefaultClient, "http://"+testkit.ClosedPort(t)+"/")
			}},
		{name: "call past its deadline", says: "context deadline exceeded",
			produce: func(t *testing.T) (context.Context, error) {
				ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
				t.Cleanup(cancel)
				return ctx, getWithContext(ctx, t, http.DefaultClient, "http://"+testkit.ClosedPort(t)+"/")
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, err := tc.produce(t)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("produced %v, want an error saying %q", err, tc.says)
			}
			if got := RetryIdempotent(ctx, nil, err); got != tc.idempotent {
				t.Errorf("RetryIdempotent(%v) = %v, want %v", err, got, tc.idempotent)
			}
			if got := RetryUnsent(ctx, nil, err); got != tc.post {
				t.Errorf("RetryUnsent(%v) = %v, want %v", err, got, tc.post)
			}
			if got := NotSent(err); got != tc.notSent {
				t.Errorf("NotSent(%v) = %v, want %v", err, got, tc.notSent)
			}
			problem := TransportProblem(err)
			if tc.problem == "" && problem != "" || !strings.Contains(problem, tc.problem) {
				t.Errorf("TransportProblem(%v) = %q, want %q", err, problem, tc.problem)
			}
		})
	}
}

// newTLSServer starts an HTTPS server with httptest's certificate and the given TLS settings,
// which does not log the handshakes the tests make fail.
func newTLSServer(t *testing.T, config *tls.Config) *httptest.Server {
	t.Helper()
	server := httptest.NewUnstartedServer(http.NotFoundHandler())
	server.TLS = config
	server.Config.ErrorLog = log.New(io.Discard, "", 0)
	server.StartTLS()
	t.Cleanup(server.Close)
	return server
}

func get(t *testing.T, client *http.Client, rawURL string) error {
	t.Helper()
	return getWithContext(context.Background(), t, client, rawURL)
}

func getWithContext(ctx context.Context, t *testing.T, client *http.Client, rawURL string) error {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("GET %s: HTTP %d, want an error", rawURL, resp.StatusCode)
	}
	return err
}

// serveRaw accepts connections on a loopback port and hands each to handle, then closes it.
func serveRaw(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			handle(c)
			_ = c.Close()
		}
	}()
	return ln.Addr().String()
}

// DNS response codes a fake name server answers every query with.
const (
	dnsServerFailure = 2 // SERVFAIL: a temporary failure
	dnsNameError     = 3 // NXDOMAIN: no such name
)

// clientResolvingWith returns a client whose resolver asks a name server on a loopback port that
// answers every query with rcode. A .invalid name never resolves (RFC 6761), but what the
// machine's own resolver answers for one depends on its network: without a name server it is a
// temporary failure, not "no such host".
func clientResolvingWith(t *testing.T, rcode byte) *http.Client {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			// The query itself, turned into an answer with no records: QR and RD set, RA and rcode.
			answer := append([]byte(nil), buf[:n]...)
			answer[2], answer[3] = 0x81, 0x80|rcode
			_, _ = conn.WriteTo(answer, from)
		}
	}()
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", conn.LocalAddr().String())
	}}
	transport := &http.Transport{DialContext: (&net.Dialer{Resolver: resolver}).DialContext}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{Transport: transport}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
