package hwhttp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// A request that got no HTTP response failed in one of three ways, and the retry rules and the
// messages follow from which:
//   - the endpoint is set up wrong for this client: plain HTTP or another protocol answers an
//     https:// URL, its certificate does not verify, its host name does not exist, the server
//     refuses the TLS handshake, the URL is not one the client can send to. Every attempt
//     fails alike, so none is repeated, and TransportProblem says what is wrong;
//   - the call was given up on: its context was cancelled or ran out of time. The retry rules
//     see that from the context, which the error cannot tell from one attempt's own timeout;
//   - anything else may pass: a refused or reset connection, an attempt that timed out, a
//     temporary DNS failure, a connection closed before the answer. Repeated where that is safe.

// transportFailure is what an error that came without a response says.
type transportFailure struct {
	// problem says what is wrong with the endpoint, and what to do, when no retry can help;
	// "" when one may.
	problem string
	// unsent is a request that provably never reached the server: no connection was opened,
	// or its TLS handshake failed, so not a byte of the request was written.
	unsent bool
}

// classifyTransport sorts an error that came without a response. Only what a server, a
// certificate or a resolver said for certain counts as a misconfiguration: anything
// unrecognised may pass.
func classifyTransport(err error) transportFailure {
	if problem := certificateProblem(err); problem != "" {
		return transportFailure{problem: problem, unsent: true}
	}
	var (
		recordHeader tls.RecordHeaderError
		alert        tls.AlertError
		dnsErr       *net.DNSError
		opErr        *net.OpError
	)
	switch {
	case errors.Is(err, http.ErrSchemeMismatch):
		return transportFailure{unsent: true,
			problem: "the endpoint speaks plain HTTP, not HTTPS: use http:// if it is meant to be reached without TLS (a local simulator), or fix the proxy or port in front of it"}
	case errors.As(err, &recordHeader):
		return transportFailure{unsent: true,
			problem: "what answers at the endpoint's host and port does not speak TLS: check the port and the scheme (https://), or the proxy in front of it"}
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return transportFailure{unsent: true,
			problem: fmt.Sprintf("the endpoint's host name %q does not exist (the DNS answered no such host): check its spelling", dnsErr.Name)}
	case errors.As(err, &opErr) && opErr.Op == "remote error", errors.As(err, &alert):
		// crypto/tls reports the alert a server sent as a *net.OpError with this Op. The alert may
		// end a connection whose request was written (TLS 1.3 checks a client certificate after
		// the client's Finished), so it proves nothing about what was sent.
		return transportFailure{
			problem: "the server refused the TLS handshake: it may want another TLS version or a client certificate, or a proxy is in the way"}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return transportFailure{unsent: true}
	case unsendableURL(err):
		return transportFailure{unsent: true, problem: "the endpoint's URL is not one the client can send a request to: check its scheme and host"}
	}
	return transportFailure{}
}

// certificateProblem describes an endpoint's certificate that did not verify, of any kind.
func certificateProblem(err error) string {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		systemRoots      x509.SystemRootsError
		constraint       x509.ConstraintViolationError
		critical         x509.UnhandledCriticalExtension
		insecure         x509.InsecureAlgorithmError
		verification     *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownAuthority):
		return "the endpoint's certificate is not signed by an authority this machine trusts: a self-signed certificate, a private CA, or a proxy that inspects TLS, whose CA certificate must then be in this machine's trust store (or SSL_CERT_FILE)"
	case errors.As(err, &hostname):
		return fmt.Sprintf("the endpoint's certificate is not valid for %s: check the host name, or the proxy that answers for it", hostname.Host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "the endpoint's certificate has expired or is not valid yet: check this machine's clock, and the certificate the endpoint (or a proxy in front of it) presents"
	case errors.As(err, &systemRoots):
		return "this machine has no trusted CA certificates to verify the endpoint's certificate with: install them, or set SSL_CERT_FILE"
	case errors.As(err, &invalid), errors.As(err, &constraint), errors.As(err, &critical), errors.As(err, &insecure), errors.As(err, &verification):
		return "the endpoint's certificate did not verify: check the certificate the endpoint (or a proxy in front of it) presents"
	}
	return ""
}

// unsendableURL reports the errors Go's client gives, untyped, for a URL it cannot send to.
// go-retryablehttp's own retry policy matches the same text.
func unsendableURL(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "no Host in request URL")
}

// TransportProblem says, for an error that came without a response and that no retry can fix
// because of how the endpoint is set up, what is wrong and what to do: a clause in lower case,
// without the endpoint's URL, which the caller names with the setting it came from. It is ""
// for any other error: one that may pass, or a call given up on.
func TransportProblem(err error) string {
	if err == nil {
		return ""
	}
	return classifyTransport(err).problem
}

// NotSent reports whether an error that came without a response proves that the request never
// reached the server: no connection was opened, or the TLS handshake failed before any of the
// request was written. A POST so failed can be sent again without the risk of doing twice what
// it asks.
func NotSent(err error) bool {
	return err != nil && classifyTransport(err).unsent
}
