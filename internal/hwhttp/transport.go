// Package hwhttp is Huawei Cloud's HTTP layer, shared by every client of the provider: the
// credential value and provider every source and signer share, the SDK-HMAC-SHA256 signer and
// the transport that signs each attempt, reading each answer once and deciding on it (retries,
// the API gateway's answers), the retrying client with its backoff, and the one registry of
// secrets that keeps them out of errors and logs. It knows neither COC nor Terraform.
package hwhttp

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Signing says how a client made by NewRetryingClient signs each attempt.
type Signing struct {
	// Credentials are asked for before every attempt, so that none carries stale ones.
	Credentials CredentialsProvider
	// DomainID is sent as X-Domain-Id when set.
	DomainID string
	// Now is the signing clock; nil means time.Now.
	Now func() time.Time
	// Gate, when set, sends the first request signed with a key alone (see KeyGate).
	Gate *KeyGate
}

// signingTransport signs each request with the credentials current when it is sent (every
// attempt of a retried one afresh, so that none carries a stale X-Sdk-Date), and registers
// their secrets before anything can repeat them.
type signingTransport struct {
	Signing
	next    http.RoundTripper
	secrets *Secrets
}

// signedWithKey is the context key under which a signed request carries its credentials.
type signedWithKey struct{}

func (t *signingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	creds, err := t.Credentials.Retrieve(req.Context())
	if err != nil {
		return nil, &CredentialsError{Err: err}
	}
	t.secrets.Add(creds.SecretKey, creds.SecurityToken)
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
	if t.Gate == nil {
		return t.next.RoundTrip(signed)
	}
	settle, err := t.Gate.enter(req.Context(), creds.AccessKey)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(signed)
	settle(resp)
	return resp, err
}

// SignedWith returns the credentials a request sent by a client that signs was signed with.
func SignedWith(req *http.Request) Credentials {
	if req == nil {
		return Credentials{}
	}
	creds, _ := req.Context().Value(signedWithKey{}).(Credentials)
	return creds
}
