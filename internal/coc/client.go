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
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Endpoints maps the regions COC serves the API in to their base URLs.
var Endpoints = map[string]string{
	"cn-north-4":     "https://coc.myhuaweicloud.com",
	"ap-southeast-3": "https://coc-intl.myhuaweicloud.com",
	"eu-west-101":    "https://coc-eu-west-101-open-api.myhuaweicloud.eu",
}

// DefaultRegion is the region whose endpoints are used when none is configured.
const DefaultRegion = "cn-north-4"

// Defaults of Config.
const (
	DefaultMaxRetries       = 5
	DefaultBackoffBase      = 500 * time.Millisecond
	DefaultBackoffCap       = 20 * time.Second
	DefaultRetryAfterCap    = 60 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	defaultRequestTimeout   = 60 * time.Second
)

// Logger receives the client's diagnostics with the caller's context, so the provider can route
// them to tflog. Fields never hold credentials or secrets.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	// Endpoint is the base URL, for example "https://coc.myhuaweicloud.com".
	Endpoint string
	// Credentials sign each attempt: a fixed Credentials value, or a provider that obtains and
	// renews temporary ones. A CredentialsRenewer gets one chance to renew credentials COC
	// refuses as expired, and the request is retried once with the renewed ones.
	Credentials CredentialsProvider
	// DomainID is sent as X-Domain-Id when set.
	DomainID  string
	UserAgent string
	// MaxRetries is the number of retries after the first attempt; negative disables retries.
	MaxRetries       int
	Backoff          Backoff
	MaxResponseBytes int64
	// HTTPClient supplies the transport; requests are signed on top of it.
	HTTPClient *http.Client
	Logger     Logger
	// Now is the signing clock; tests pin it.
	Now func() time.Time
}

// Client calls the COC mobile-app API. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	cfg        Config
	idempotent *retryablehttp.Client
	create     *retryablehttp.Client
	// signing hands out the credentials; the secrets of every one it handed out are scrubbed
	// from every error, in case a proxy echoes headers back.
	signing *recordingProvider
}

// NewClient validates cfg and builds a client. It makes no network call.
func NewClient(cfg Config) (*Client, error) {
	base, err := ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.Credentials == nil {
		return nil, errors.New("an access key and a secret key, or a credentials provider, are required")
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	cfg.Backoff = cfg.Backoff.withDefaults()
	cfg.MaxResponseBytes = cmp.Or(cfg.MaxResponseBytes, DefaultMaxResponseBytes)
	if cfg.Logger == nil {
		cfg.Logger = nopLogger{}
	}

	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = cleanhttp.DefaultPooledClient()
		httpClient.Timeout = defaultRequestTimeout
	}
	c := &Client{base: base, cfg: cfg, signing: &recordingProvider{CredentialsProvider: cfg.Credentials}}
	signed := *httpClient
	next := writeTracking{next: cmp.Or[http.RoundTripper](httpClient.Transport, http.DefaultTransport)}
	signed.Transport = &signingTransport{next: next, credentials: c.signing, domainID: cfg.DomainID, now: cfg.Now, gate: &keyGate{}}
	// A redirect would carry a signed request to a host we did not choose.
	signed.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	policy := RetryPolicy{Service: "COC", MaxRetries: cfg.MaxRetries, Backoff: cfg.Backoff, Logger: cfg.Logger, Retry: retryIdempotentCOC}
	c.idempotent = NewRetryingClient(&signed, policy)
	policy.Retry = retryCreate
	c.create = NewRetryingClient(&signed, policy)
	return c, nil
}

// ParseEndpoint checks that an endpoint is an absolute http(s) URL without query or fragment.
// Its errors show credentials embedded in the URL (user:password@) as ***, which url.Parse's
// own errors would quote.
func ParseEndpoint(endpoint string) (*url.URL, error) {
	shown := withoutUserinfo(endpoint)
	u, err := url.Parse(strings.TrimSuffix(endpoint, "/"))
	if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) {
		err = urlErr.Err // without the URL it quotes
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("endpoint %q is not a valid URL: %w", shown, err)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("endpoint %q must start with https:// (or http:// for a local simulator)", shown)
	case u.Host == "":
		return nil, fmt.Errorf("endpoint %q has no host", shown)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("endpoint %q must not contain credentials, a query or a fragment", shown)
	}
	return u, nil
}

// withoutUserinfo replaces the "user:password" before the host of a URL with ***.
func withoutUserinfo(rawURL string) string {
	i := strings.Index(rawURL, "//")
	if i < 0 {
		return rawURL
	}
	authority := rawURL[i+2:]
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at <= 0 {
		return rawURL
	}
	return rawURL[:i+2] + redacted + rawURL[i+2+at:]
}

// GetBinding reads the tenant's binding of one app type.
func (c *Client) GetBinding(ctx context.Context, t AppType) (*Binding, error) {
	return c.getBinding(ctx, t, nil)
}

// getBinding reads a binding and keeps the given secrets out of its errors: a create reads back
// with the secrets it sent, which a server that echoes requests might repeat in any answer.
func (c *Client) getBinding(ctx context.Context, t AppType, secrets []string) (*Binding, error) {
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
	AppType AppType
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
func (c *Client) AllBindings(ctx context.Context, t AppType) iter.Seq2[Binding, error] {
	return func(yield func(Binding, error) bool) {
		seen := map[AppType]bool{}
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
func pageAdvances(page *BindingList, offset int, seen map[AppType]bool) error {
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

// UpdateBinding changes a binding. The identifier cannot change; omitted secrets are kept.
func (c *Client) UpdateBinding(ctx context.Context, t AppType, req BindingRequest) (*Binding, error) {
	var b Binding
	if err := c.do(ctx, c.idempotent, &call{method: http.MethodPut, path: bindingPath(t), appType: t, sent: &req, secrets: req.SecretValues()}, req, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// DeleteBinding unbinds an app. COC's own "not bound" comes back as ErrNotBound; callers that only
// want the binding gone (including after a retried DELETE whose first attempt committed) treat it
// as done. Any other answer than COC's success is an error: the binding may still be there.
func (c *Client) DeleteBinding(ctx context.Context, t AppType) error {
	return c.do(ctx, c.idempotent, &call{method: http.MethodDelete, path: bindingPath(t), appType: t}, nil, nil)
}

func bindingPath(t AppType) string { return MobileAppsPath + "/" + url.PathEscape(string(t)) }

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

	signedWith, err := c.exchange(ctx, rc, cl, req, out)
	renewer, renewable := c.cfg.Credentials.(CredentialsRenewer)
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
func (c *Client) exchange(ctx context.Context, rc *retryablehttp.Client, cl *call, req *retryablehttp.Request, out any) (Credentials, error) {
	resp, err := rc.Do(req)
	if err != nil {
		var (
			credErr    *CredentialsError
			refusedErr *KeyRefusedError
		)
		switch {
		case ctx.Err() != nil:
			return Credentials{}, fmt.Errorf("%s: %w", cl.operation(), ctx.Err())
		case errors.As(err, &credErr):
			return Credentials{}, fmt.Errorf("%s: %w", cl.operation(), credErr)
		case errors.As(err, &refusedErr):
			return Credentials{}, fmt.Errorf("%s: %w", cl.operation(), refusedErr)
		}
		return Credentials{}, &TransportError{Operation: cl.operation(), Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	// Everything taken from the response is scrubbed: a server or proxy that echoes the request
	// may put a secret into any header or field. That includes the request's signature, which
	// anyone could replay for the next 15 minutes.
	scrub := append(newScrubber(cl.secrets...), c.signing.scrubber()...)
	scrub = append(scrub, newScrubber(RequestSignature(resp.Request))...)
	return signedWith(resp.Request), c.decode(cl, resp, scrub, out)
}

// RequestSignature returns the Signature of a signed request's Authorization header, or "".
// Errors must not repeat it: anyone could replay the request while its date is fresh.
func RequestSignature(req *http.Request) string {
	if req == nil {
		return ""
	}
	_, signature, _ := strings.Cut(req.Header.Get(HeaderAuthorization), "Signature=")
	return signature
}

func contentType(h http.Header) string {
	if ct := h.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no content type"
}

func isJSON(h http.Header) bool {
	mediaType, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"))
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}
