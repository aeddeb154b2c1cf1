package coc

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
	// Expire reports that COC refused creds as expired, so that the next Retrieve obtains new
	// ones. It returns an error, saying why and what to do, when there will be none.
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

// CredentialsExpired reports whether COC refused a request because its temporary credentials had
// expired (the gateway says "token expires") rather than for a bad signature. Only the former is
// worth renewing and retrying: every retry of a bad signature brings the access key closer to the
// gateway's lockout (5 failures in a row lock it for 5 minutes).
func CredentialsExpired(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && expiredRefusal(apiErr.StatusCode, ErrorBody{ErrorCode: apiErr.Code, ErrorMsg: apiErr.Message})
}

// NewSigningTransport returns a RoundTripper that signs every request it sends (every attempt of a
// retried one afresh, so that none carries a stale X-Sdk-Date) with the credentials creds supplies
// at that moment, and sets X-Domain-Id when domainID is set. now is the signing clock (nil for
// time.Now).
func NewSigningTransport(next http.RoundTripper, creds CredentialsProvider, domainID string, now func() time.Time) http.RoundTripper {
	return &signingTransport{next: cmp.Or[http.RoundTripper](next, http.DefaultTransport), credentials: creds, domainID: domainID, now: now}
}

type signingTransport struct {
	next        http.RoundTripper
	credentials CredentialsProvider
	domainID    string
	now         func() time.Time
	// gate, when set, sends the first request signed with a key alone (see keyGate).
	gate *keyGate
}

// signedWithKey is the context key under which a signed request carries its credentials.
type signedWithKey struct{}

func (t *signingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	creds, err := t.credentials.Retrieve(req.Context())
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
	if t.domainID != "" {
		signed.Header.Set(HeaderDomainID, t.domainID)
	}
	Signer{Credentials: creds, Now: t.now}.Sign(signed, body)
	if t.gate == nil {
		return t.next.RoundTrip(signed)
	}
	settle, err := t.gate.enter(req.Context(), creds.AccessKey)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(signed)
	settle(resp)
	return resp, err
}

// signedWith returns the credentials a request sent through a signing transport was signed with.
func signedWith(req *http.Request) Credentials {
	if req == nil {
		return Credentials{}
	}
	creds, _ := req.Context().Value(signedWithKey{}).(Credentials)
	return creds
}

// recordingProvider passes credentials through and remembers the secrets of every one it handed
// out, so that errors are scrubbed of whichever credentials signed the request, including
// credentials obtained long after the client was built.
type recordingProvider struct {
	CredentialsProvider
	mu   sync.Mutex
	last Credentials
	seen scrubber
}

func (p *recordingProvider) Retrieve(ctx context.Context) (Credentials, error) {
	creds, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return creds, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if creds != p.last {
		p.last = creds
		// A new array each time: callers of scrubber keep reading the one they were given.
		p.seen = append(slices.Clip(p.seen), newScrubber(creds.SecretKey, creds.SecurityToken)...)
	}
	return creds, nil
}

// scrubber returns the secrets of every credential handed out so far.
func (p *recordingProvider) scrubber() scrubber {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen
}
