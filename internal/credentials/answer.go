package credentials

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// maxAnswerBytes bounds how much of an IAM or metadata answer is read.
const maxAnswerBytes = 1 << 20

// send sends req with retries per client and decodes the answer, which the client read once: one
// with status want decodes into out, any other becomes a *ServiceError. Everything taken from the
// answer is scrubbed of every secret the registry knows and of the request's signature: a proxy
// may echo the request.
func send(client *retryablehttp.Client, req *retryablehttp.Request, want int, secrets *hwhttp.Secrets, out any) (http.Header, error) {
	op := req.Method + " " + req.URL.Path
	resp, err := client.Do(req)
	if err != nil {
		if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) {
			err = urlErr.Err // without the URL it quotes: the operation names the call
		}
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer func() { _ = resp.Body.Close() }()
	a := hwhttp.AnswerOf(resp)
	scrub := append(secrets.Scrubber(), hwhttp.NewScrubber(hwhttp.RequestSignature(resp.Request))...)
	answerErr := func(code, message string) error {
		return &ServiceError{Operation: op, StatusCode: a.StatusCode, Code: scrub.Scrub(code), Message: scrub.Scrub(message),
			RequestID: scrub.Scrub(a.Header.Get(hwhttp.HeaderRequestID))}
	}
	switch {
	case a.ReadErr != nil:
		return nil, answerErr("", "reading the answer failed: "+a.ReadErr.Error())
	case a.TooLarge:
		return nil, answerErr("", fmt.Sprintf("the answer exceeds %d bytes", a.Limit))
	case a.StatusCode != want:
		// IAM's own shape first; the gateway's, which the client decoded, else.
		var e ErrorResponse
		switch {
		case json.Unmarshal(a.Body, &e) == nil && e.Error != nil && (e.Error.Code != "" || e.Error.Message != ""):
			return nil, answerErr(e.Error.Code, e.Error.Message)
		case a.Code != "" || a.Message != "":
			return nil, answerErr(a.Code, a.Message)
		}
		contentType := cmp.Or(a.Header.Get("Content-Type"), "no content type")
		return nil, answerErr("", fmt.Sprintf("the answer carries no error code (%s, %d bytes)", contentType, len(a.Body)))
	}
	if out == nil {
		return a.Header, nil
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		return nil, answerErr("", "the answer is not the expected JSON: "+err.Error())
	}
	if c, ok := out.(interface{ check() error }); ok {
		if err := c.check(); err != nil {
			return nil, answerErr("", err.Error())
		}
	}
	return a.Header, nil
}

func (r *CredentialResponse) check() error {
	c := r.Credential
	if c.Access == "" || c.Secret == "" || c.SecurityToken == "" || c.ExpiresAt.IsZero() {
		return errors.New("the answer lacks the credential's access, secret, securitytoken or expires_at")
	}
	return nil
}

func (r *CredentialResponse) value() hwhttp.Credentials {
	c := r.Credential
	return hwhttp.Credentials{AccessKey: c.Access, SecretKey: c.Secret, SecurityToken: c.SecurityToken, Expires: c.ExpiresAt}
}

// retrying wraps c in the retry loop of coc's clients, signing each attempt when signing is set.
func (o Options) retrying(service string, c *http.Client, rule func(context.Context, *hwhttp.Answer, error) bool, signing *hwhttp.Signing) *retryablehttp.Client {
	return hwhttp.NewRetryingClient(c, hwhttp.RetryPolicy{Service: service, MaxRetries: o.MaxRetries, Backoff: o.Backoff, Logger: o.Logger,
		Retry: rule, MaxAnswerBytes: maxAnswerBytes, Signing: signing, Secrets: o.Secrets})
}

// newRequest builds a JSON request (GET without a body) with the chain's User-Agent.
func newRequest(ctx context.Context, o Options, method string, base *url.URL, path string, body any) (*retryablehttp.Request, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, base.JoinPath(path).String(), payload)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	if o.UserAgent != "" {
		req.Header.Set("User-Agent", o.UserAgent)
	}
	return req, nil
}

// httpClient is the client the chain's requests go out with. Redirects are never followed: they
// would carry a signature or a token to a host nobody chose.
func httpClient(o Options, defaults func() *http.Client) *http.Client {
	c := o.HTTPClient
	if c == nil {
		c = defaults()
	}
	noRedirects := *c
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &noRedirects
}

func pooledClient() *http.Client {
	c := cleanhttp.DefaultPooledClient()
	c.Timeout = defaultTimeout
	return c
}
