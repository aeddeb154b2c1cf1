// Package coc is a client for the mobile-app API of Huawei Cloud COC (Cloud Operations Center),
// as specified in this package's CONTRACT.md. It knows HTTP, request signing, the response
// envelope and COC's error codes, and nothing about Terraform.
package coc

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Endpoints maps the regions COC serves the API in to their base URLs.
var Endpoints = map[string]string{
	"cn-north-4":     "https://coc.myhuaweicloud.com",
	"ap-southeast-3": "https://coc-intl.myhuaweicloud.com",
	"eu-west-101":    "https://coc-eu-west-101-open-api.myhuaweicloud.eu",
}

// Defaults of Config; those of the retries are hwhttp's.
const (
	DefaultMaxResponseBytes = 1 << 20
	defaultRequestTimeout   = 60 * time.Second
)

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	// Endpoint is the base URL, for example "https://coc.myhuaweicloud.com".
	Endpoint string
	// Principal names who creates, the same from one run to the next (an access key, an agency): a
	// create's idempotency key derives from it, so that COC recognises this principal's earlier
	// create of the same binding, and nobody else's (see CreateKey). It defaults to the access key
	// of a fixed Credentials value.
	Principal string
	// Credentials sign each attempt: a fixed Credentials value, or a provider that obtains and
	// renews temporary ones. A hwhttp.CredentialsRenewer gets one chance to renew credentials COC
	// refuses as expired, and the request is retried once with the renewed ones.
	Credentials hwhttp.CredentialsProvider
	// Secrets is the registry the client adds every secret it handles to (the credentials it
	// signs with, the secrets it sends) and scrubs its errors and logs of; nil means a registry
	// of its own.
	Secrets *hwhttp.Secrets
	// DomainID is sent as X-Domain-Id when set.
	DomainID  string
	UserAgent string
	// MaxRetries is the number of retries after the first attempt; negative disables retries.
	MaxRetries       int
	Backoff          hwhttp.Backoff
	MaxResponseBytes int64
	// HTTPClient supplies the transport; requests are signed on top of it.
	HTTPClient *http.Client
	Logger     hwhttp.Logger
	// Now is the signing clock; tests pin it.
	Now func() time.Time
}

// Client calls the COC mobile-app API. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	cfg        Config
	idempotent *retryablehttp.Client
	// http and policy make a create's own retrying client, whose retry rule is the create's
	// budget of POSTs (see createPosts).
	http   *http.Client
	policy hwhttp.RetryPolicy
}

// NewClient validates cfg and builds a client. It makes no network call.
func NewClient(cfg Config) (*Client, error) {
	base, err := hwhttp.ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.Credentials == nil {
		return nil, errors.New("an access key and a secret key, or a credentials provider, are required")
	}
	if fixed, ok := cfg.Credentials.(hwhttp.Credentials); ok && cfg.Principal == "" {
		cfg.Principal = fixed.AccessKey
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	cfg.Backoff = cfg.Backoff.WithDefaults()
	cfg.MaxResponseBytes = cmp.Or(cfg.MaxResponseBytes, DefaultMaxResponseBytes)
	if cfg.Logger == nil {
		cfg.Logger = hwhttp.NopLogger{}
	}
	if cfg.Secrets == nil {
		cfg.Secrets = new(hwhttp.Secrets)
	}

	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = cleanhttp.DefaultPooledClient()
		httpClient.Timeout = defaultRequestTimeout
	}
	c := &Client{base: base, cfg: cfg, http: new(http.Client)}
	*c.http = *httpClient
	// A redirect would carry a signed request to a host we did not choose.
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.policy = hwhttp.RetryPolicy{Service: "COC", MaxRetries: cfg.MaxRetries, Backoff: cfg.Backoff, Logger: cfg.Logger,
		Retry: hwhttp.RetryIdempotent, MaxAnswerBytes: cfg.MaxResponseBytes, Secrets: cfg.Secrets,
		Signing: &hwhttp.Signing{Credentials: cfg.Credentials, DomainID: cfg.DomainID, Now: cfg.Now, Gate: &hwhttp.KeyGate{}}}
	c.idempotent = hwhttp.NewRetryingClient(c.http, c.policy)
	return c, nil
}

// GetBinding reads the tenant's binding of one app type.
func (c *Client) GetBinding(ctx context.Context, t platforms.AppType) (*Binding, error) {
	return c.getBinding(ctx, t, nil)
}

// getBinding reads a binding and keeps the given secrets out of its errors: a create reads back
// with the secrets it sent, which a server that echoes requests might repeat in any answer.
func (c *Client) getBinding(ctx context.Context, t platforms.AppType, secrets []string) (*Binding, error) {
	var b Binding
	err := c.do(ctx, c.idempotent, &call{method: http.MethodGet, path: bindingPath(t), appType: t, secrets: secrets}, nil, &b)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// ListOptions filters and pages a list call.
type ListOptions struct {
	// AppType filters by app type when set.
	AppType platforms.AppType
	Limit   int
	Offset  int
}

// ListBindings reads one page of bindings. A page COC could not have answered (more bindings
// than app types, another app type than the filter's, one app type twice) is an ErrResponse.
func (c *Client) ListBindings(ctx context.Context, opts ListOptions) (*BindingList, error) {
	q := url.Values{}
	if opts.AppType != "" {
		q.Set("app_type", string(opts.AppType))
	}
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.Offset > 0 {
		q.Set("offset", strconv.Itoa(opts.Offset))
	}
	var list BindingList
	if err := c.do(ctx, c.idempotent, &call{method: http.MethodGet, path: MobileAppsPath, query: q, listFilter: opts.AppType}, nil, &list); err != nil {
		return nil, err
	}
	return &list, nil
}

// AllBindings yields every binding, filtered by app type when set, reading pages of the largest
// size the API allows: a tenant's bindings fit in one. Later pages must advance with new app
// types, so a server that repeats or never ends its pages costs a couple of calls, not more.
func (c *Client) AllBindings(ctx context.Context, t platforms.AppType) iter.Seq2[Binding, error] {
	return func(yield func(Binding, error) bool) {
		seen := map[platforms.AppType]bool{}
		for offset := 0; ; {
			page, err := c.ListBindings(ctx, ListOptions{AppType: t, Limit: MaxPageLimit, Offset: offset})
			if err == nil {
				err = pageAdvances(page, offset, seen)
			}
			if err != nil {
				yield(Binding{}, err)
				return
			}
			for _, b := range page.List {
				if !yield(b, nil) {
					return
				}
			}
			offset += len(page.List)
			if offset >= page.Total {
				return
			}
		}
	}
}

// pageAdvances checks a page read at offset against the pages before it, whose app types are in
// seen (and gain this page's).
func pageAdvances(page *BindingList, offset int, seen map[platforms.AppType]bool) error {
	op := "GET " + MobileAppsPath
	if len(page.List) == 0 && offset < page.Total {
		return &ResponseError{Operation: op, StatusCode: http.StatusOK, kind: ErrResponse,
			Reason: fmt.Sprintf("the page at offset %d is empty, but data.total is %d", offset, page.Total)}
	}
	for _, b := range page.List {
		if seen[b.AppType] {
			return &ResponseError{Operation: op, StatusCode: http.StatusOK, kind: ErrResponse,
				Reason: fmt.Sprintf("the page at offset %d repeats the %s binding of an earlier page", offset, b.AppType)}
		}
		seen[b.AppType] = true
	}
	return nil
}

// UpdateBinding changes the binding of the app req identifies, and no other: COC refuses the call,
// changing nothing, when another app is bound (ErrOtherAppBound, with the bound one in
// APIError.Bound when it could be read). The identifier cannot change; omitted secrets are kept.
func (c *Client) UpdateBinding(ctx context.Context, t platforms.AppType, req BindingRequest) (*Binding, error) {
	var b Binding
	if err := c.do(ctx, c.idempotent, &call{method: http.MethodPut, path: bindingPath(t), appType: t, sent: &req, secrets: req.SecretValues()}, req, &b); err != nil {
		return nil, c.withBound(ctx, t, err)
	}
	return &b, nil
}

// DeleteBinding unbinds the app of type t whose identifier is identifier, and no other: COC refuses
// the call, changing nothing, when another app is bound (ErrOtherAppBound, with the bound one in
// APIError.Bound when it could be read). COC's own "not bound" comes back as ErrNotBound; callers
// that only want the binding gone (including after a retried DELETE whose first attempt committed)
// treat it as done. Any other answer than COC's success is an error: the binding may still be
// there.
func (c *Client) DeleteBinding(ctx context.Context, t platforms.AppType, identifier string) error {
	p, err := platforms.For(t)
	if err != nil {
		return err
	}
	if identifier == "" {
		return fmt.Errorf("DELETE %s: the identifier of the app to unbind is required", bindingPath(t))
	}
	q := url.Values{p.Identifier.Name: {identifier}}
	err = c.do(ctx, c.idempotent, &call{method: http.MethodDelete, path: bindingPath(t), query: q, appType: t}, nil, nil)
	return c.withBound(ctx, t, err)
}

// withBound adds the binding that stands in the way to an ErrAlreadyBound or ErrOtherAppBound,
// read back in one GET, so that the caller can name it; any other error is returned as it is.
func (c *Client) withBound(ctx context.Context, t platforms.AppType, err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrAlreadyBound) && !errors.Is(err, ErrOtherAppBound) {
		return err
	}
	bound, getErr := c.GetBinding(ctx, t)
	if getErr != nil {
		return err // COC's message names the bound app too
	}
	described := *apiErr
	described.Bound = bound
	return &described
}

func bindingPath(t platforms.AppType) string { return MobileAppsPath + "/" + url.PathEscape(string(t)) }

// notSentError is a request the client did not send, because the gateway refused a signature
// of its key earlier: an ErrAuth.
type notSentError struct {
	operation string
	refused   *hwhttp.KeyRefusedError
}

func (e *notSentError) Error() string   { return e.operation + ": " + e.refused.Error() }
func (e *notSentError) Unwrap() []error { return []error{ErrAuth, e.refused} }

// TransportError is a request that got no HTTP response.
type TransportError struct {
	Operation string
	Err       error
}

func (e *TransportError) Error() string { return e.Operation + ": " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// do sends one logical request (with retries per rc) and decodes the answer into out. When COC
// refuses the credentials as expired and they can be renewed, the request is sent once more with
// renewed ones: the gateway stopped it, so even a POST is safe to repeat.
func (c *Client) do(ctx context.Context, rc *retryablehttp.Client, cl *call, body any, out any) error {
	u := c.base.JoinPath(cl.path)
	u.RawQuery = cl.query.Encode()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s: encoding request: %w", cl.operation(), err)
		}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, u.String(), payload)
	if err != nil {
		return fmt.Errorf("%s: %w", cl.operation(), err)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if cl.idempotencyKey != "" {
		req.Header.Set(HeaderIdempotencyKey, cl.idempotencyKey)
	}

	// The secrets sent are registered before anything can repeat them.
	c.cfg.Secrets.Add(cl.secrets...)
	signedWith, err := c.exchange(ctx, rc, cl, req, out)
	renewer, renewable := c.cfg.Credentials.(hwhttp.CredentialsRenewer)
	if !renewable || !CredentialsExpired(err) {
		return err
	}
	if expireErr := renewer.Expire(signedWith); expireErr != nil {
		return errors.Join(err, expireErr)
	}
	c.cfg.Logger.Debug(ctx, "COC refused the credentials as expired; retrying once with renewed ones", map[string]any{"method": cl.method, "path": cl.path})
	_, err = c.exchange(ctx, rc, cl, req, out)
	return err
}

// exchange sends req (with retries per rc), decodes the answer into out, and returns the
// credentials its last attempt was signed with.
func (c *Client) exchange(ctx context.Context, rc *retryablehttp.Client, cl *call, req *retryablehttp.Request, out any) (hwhttp.Credentials, error) {
	resp, err := rc.Do(req)
	if err != nil {
		var (
			credErr    *hwhttp.CredentialsError
			refusedErr *hwhttp.KeyRefusedError
		)
		switch {
		case ctx.Err() != nil:
			return hwhttp.Credentials{}, fmt.Errorf("%s: %w", cl.operation(), ctx.Err())
		case errors.As(err, &credErr):
			return hwhttp.Credentials{}, fmt.Errorf("%s: %w", cl.operation(), credErr)
		case errors.As(err, &refusedErr):
			return hwhttp.Credentials{}, &notSentError{operation: cl.operation(), refused: refusedErr}
		}
		return hwhttp.Credentials{}, &TransportError{Operation: cl.operation(), Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	// Everything taken from the answer is scrubbed: a server or proxy that echoes the request may
	// put a secret into any header or field. The registry knows the credentials and the secrets
	// sent; the request's signature, which anyone could replay for the next 15 minutes, is this
	// request's alone.
	scrub := append(c.cfg.Secrets.Scrubber(), hwhttp.NewScrubber(hwhttp.RequestSignature(resp.Request))...)
	cl.replayed = cl.idempotencyKey != "" && resp.Header.Get(HeaderIdempotentReplayed) == "true"
	return hwhttp.SignedWith(resp.Request), c.decode(cl, hwhttp.AnswerOf(resp), scrub, out)
}
