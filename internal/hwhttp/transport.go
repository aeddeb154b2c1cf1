// Package hwhttp is Huawei Cloud's HTTP layer, shared by every client of the provider: the
// SDK-HMAC-SHA256 signer and the transport that signs each attempt, the API gateway's answers,
// the retrying client with its backoff, and keeping secrets out of errors and logs. It knows
// neither COC nor Terraform.
package hwhttp

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// CredentialsProvider supplies the credentials a request is signed with. The client asks for
// them before every attempt, so that a retry signs with whatever is current. Credentials itself
// is the provider of a fixed key pair.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// CredentialsRenewer is a CredentialsProvider whose credentials can expire before it knows.
type CredentialsRenewer interface {
	CredentialsProvider
	// Expire reports that the gateway refused creds as expired, so that the next Retrieve
	// obtains new ones. It returns an error, saying why and what to do, when there will be none.
	Expire(creds Credentials) error
}

// Retrieve returns c, so that a fixed key pair serves where a CredentialsProvider is expected.
func (c Credentials) Retrieve(context.Context) (Credentials, error) {
	if c.AccessKey == "" || c.SecretKey == "" {
		return Credentials{}, errors.New("an access key and a secret key are required")
	}
	return c, nil
}

// CredentialsError is a request that was not sent because no credentials could be obtained for
// it. It is never retried: the provider of the credentials has its own retries.
type CredentialsError struct {
	Err error
}

func (e *CredentialsError) Error() string { return "obtaining credentials: " + e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }

// NewSigningTransport returns a RoundTripper that signs every request it sends (every attempt of a
// retried one afresh, so that none carries a stale X-Sdk-Date) with the credentials creds supplies
// at that moment, and sets X-Domain-Id when domainID is set. now is the signing clock (nil for
// time.Now).
func NewSigningTransport(next http.RoundTripper, creds CredentialsProvider, domainID string, now func() time.Time) *SigningTransport {
	return &SigningTransport{Next: next, Credentials: creds, DomainID: domainID, Now: now}
}

// SigningTransport signs each request with the credentials current when it is sent.
type SigningTransport struct {
	Next        http.RoundTripper // nil: http.DefaultTransport
	Credentials CredentialsProvider
	DomainID    string
	Now         func() time.Time
	// Gate, when set, sends the first request signed with a key alone (see KeyGate).
	Gate *KeyGate
}

// signedWithKey is the context key under which a signed request carries its credentials.
type signedWithKey struct{}

func (t *SigningTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	creds, err := t.Credentials.Retrieve(req.Context())
	if err != nil {
		return nil, &CredentialsError{Err: err}
	}
	var body []byte
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		body, err = io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			return nil, err
		}
	}
	signed := req.Clone(context.WithValue(req.Context(), signedWithKey{}, creds))
	if t.DomainID != "" {
		signed.Header.Set(HeaderDomainID, t.DomainID)
	}
	Signer{Credentials: creds, Now: t.Now}.Sign(signed, body)
	next := cmp.Or[http.RoundTripper](t.Next, http.DefaultTransport)
	if t.Gate == nil {
		return next.RoundTrip(signed)
	}
	settle, err := t.Gate.enter(req.Context(), creds.AccessKey)
	if err != nil {
		return nil, err
	}
	resp, err := next.RoundTrip(signed)
	settle(resp)
	return resp, err
}

// SignedWith returns the credentials a request sent through a SigningTransport was signed with.
func SignedWith(req *http.Request) Credentials {
	if req == nil {
		return Credentials{}
	}
	creds, _ := req.Context().Value(signedWithKey{}).(Credentials)
	return creds
}

// CredentialsRecorder passes credentials through and remembers the secrets of every one it
// handed out, so that errors are scrubbed of whichever credentials signed the request, including
// credentials obtained long after the client was built.
type CredentialsRecorder struct {
	CredentialsProvider
	mu   sync.Mutex
	last Credentials
	seen Scrubber
}

func (p *CredentialsRecorder) Retrieve(ctx context.Context) (Credentials, error) {
	creds, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return creds, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if creds != p.last {
		p.last = creds
		// A new array each time: callers of Scrubber keep reading the one they were given.
		p.seen = append(slices.Clip(p.seen), NewScrubber(creds.SecretKey, creds.SecurityToken)...)
	}
	return creds, nil
}

// Scrubber returns the secrets of every credential handed out so far.
func (p *CredentialsRecorder) Scrubber() Scrubber {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen
}
