// Package appcheck asks the chat platforms (internal/platforms) whether an app's credentials
// work, with the call each platform offers an app to obtain an access token: the call COC makes with them
// before it opens a war room (each platform's call is in its description, internal/platforms).
// The call changes nothing on the platform; Check discards the token it returns unread, Token
// hands it to the read-only calls (Read) that the war-room readiness checks make with the same
// clients. The package knows nothing of Terraform, nor of COC.
package appcheck

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

const (
	// defaultTimeout bounds each attempt. A token call answers in well under a second, and a
	// platform the network silently drops should fail a plan within a minute or so, retries
	// included, not several.
	defaultTimeout = 10 * time.Second
	// maxAnswerBytes bounds an answer: DingTalk lists every app of an organisation in one read.
	maxAnswerBytes = 1 << 20
)

// Config configures a Checker. Zero values take the defaults.
type Config struct {
	// Endpoints maps app types to the base URL of their platform; an app type left out uses
	// the platform's default (its TokenCall.Endpoint). Each must pass hwhttp.ParseHTTPSEndpoint.
	Endpoints map[platforms.AppType]string
	// MaxRetries and Backoff govern the retries of connection errors, 429 and 5xx, as
	// coc.Config's do.
	MaxRetries int
	Backoff    hwhttp.Backoff
	Logger     hwhttp.Logger
	UserAgent  string
	// HTTPClient supplies the transport; nil means a pooled client with a 10-second timeout.
	// Redirects are never followed either way.
	HTTPClient *http.Client
	// Passed remembers the credentials that passed. Checkers sharing one ask a platform once
	// about each; nil means a memory of the Checker's own.
	Passed *Memory
	// Secrets is the registry each secret checked is added to before it is sent, and whose
	// secrets the Checker's errors and logs are scrubbed of; nil means a registry of its own.
	Secrets *hwhttp.Secrets
}

// Checker checks app credentials with their platform. It is safe for concurrent use.
type Checker struct {
	endpoints map[platforms.AppType]*url.URL
	clients   map[platforms.AppType]*retryablehttp.Client
	userAgent string
	logger    hwhttp.Logger
	passed    *Memory
	secrets   *hwhttp.Secrets
}

// New validates cfg and builds a Checker. It makes no network call.
func New(cfg Config) (*Checker, error) {
	c := &Checker{endpoints: map[platforms.AppType]*url.URL{}, clients: map[platforms.AppType]*retryablehttp.Client{},
		userAgent: cfg.UserAgent, logger: cfg.Logger, passed: cfg.Passed, secrets: cfg.Secrets}
	if c.logger == nil {
		c.logger = hwhttp.NopLogger{}
	}
	if c.passed == nil {
		c.passed = &Memory{}
	}
	if c.secrets == nil {
		c.secrets = new(hwhttp.Secrets)
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = cleanhttp.DefaultPooledClient()
		httpClient.Timeout = defaultTimeout
	}
	noRedirects := *httpClient
	// A redirect would carry the secret to an address nobody configured.
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, p := range platforms.All() {
		raw := p.Token.Endpoint
		if configured, ok := cfg.Endpoints[p.AppType]; ok {
			raw = configured
		}
		base, err := hwhttp.ParseHTTPSEndpoint(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		c.endpoints[p.AppType] = base
		// A query may carry a secret: WeCom's token call takes the app's secret there, and the
		// reads of WeCom take the access token there (see Read).
		c.clients[p.AppType] = hwhttp.NewRetryingClient(&noRedirects, hwhttp.RetryPolicy{
			Service: p.Name, MaxRetries: cfg.MaxRetries, Backoff: cfg.Backoff, Logger: c.logger,
			Retry: hwhttp.RetryIdempotent, SecretQuery: true,
			MaxAnswerBytes: maxAnswerBytes, Secrets: c.secrets,
		})
	}
	return c, nil
}

// Endpoint returns the base URL the Checker asks an app type's platform at.
func (c *Checker) Endpoint(t platforms.AppType) string { return c.endpoints[t].String() }

// Check asks an app type's platform for an access token with an app ID and a secret. It
// returns nil when the platform issued one, now or earlier to a Checker sharing the Memory; a
// *Rejection when it refused the credentials; and an *UnavailableError when it gave no verdict.
// Errors never hold the secret, in any spelling.
func (c *Checker) Check(ctx context.Context, t platforms.AppType, appID, secret string) error {
	base := c.endpoints[t]
	if c.passed.has(c.passed.digest(string(t), base.String(), appID, secret)) {
		c.logger.Debug(ctx, fmt.Sprintf("%s accepted these app credentials before: not asking again", platforms.MustFor(t).Name),
			map[string]any{"app_id": appID, "endpoint": base.String()})
		return nil
	}
	_, err := c.Token(ctx, t, appID, secret)
	return err
}

// Token asks an app type's platform for an access token, as Check does but always, and returns
// it for the reads that need one (Read). Credentials it is issued for count as passed for Check.
// The token is a secret: it must go nowhere but into the reads.
func (c *Checker) Token(ctx context.Context, t platforms.AppType, appID, secret string) (string, error) {
	p := platforms.MustFor(t)
	base := c.endpoints[t]
	digest := c.passed.digest(string(t), base.String(), appID, secret)
	fields := map[string]any{"app_id": appID, "endpoint": base.String()}
	c.secrets.Add(secret)
	scrub := c.secrets.Scrub
	unavailable := func(reason string) error {
		return &UnavailableError{Platform: p.Name, Endpoint: base.String(), Reason: scrub(reason)}
	}
	req, err := request(ctx, p.Token, base, appID, secret, c.userAgent)
	if err != nil {
		return "", unavailable(hwhttp.WithoutQuery(err).Error())
	}
	resp, err := c.clients[t].Do(req)
	if err != nil {
		return "", unavailable(transportReason(err))
	}
	defer func() { _ = resp.Body.Close() }()
	answer := hwhttp.AnswerOf(resp)
	switch {
	case answer.ReadErr != nil:
		return "", unavailable("reading the answer failed: " + answer.ReadErr.Error())
	case answer.TooLarge:
		return "", unavailable(fmt.Sprintf("the answer exceeds %d bytes", answer.Limit))
	}
	v := judge(p.Token, answer.StatusCode, answer.Header, answer.Body)
	switch v.outcome {
	case accepted:
		// The token is as secret as the credentials it was issued for.
		c.secrets.Add(v.token)
		c.passed.add(digest)
		c.logger.Debug(ctx, fmt.Sprintf("%s accepted the app credentials", p.Name), fields)
		return v.token, nil
	case rejected:
		return "", &Rejection{Platform: p.Name, Endpoint: base.String(), Code: scrub(v.code), Message: scrub(v.message), RequestID: scrub(v.requestID)}
	}
	return "", unavailable(v.reason)
}

// transportReason words an error of the HTTP client without the URL's query (Go's client quotes
// the URL, and WeCom's holds a secret), with what no retry can fix.
func transportReason(err error) string {
	reason := hwhttp.WithoutQuery(err).Error()
	if problem := hwhttp.TransportProblem(err); problem != "" {
		reason += ": " + problem + "; no retry can fix this, so none was made"
	}
	return reason
}

// request builds a token call: the credentials in the query of a GET, or in the JSON body of a
// POST.
func request(ctx context.Context, tc platforms.TokenCall, base *url.URL, appID, secret, userAgent string) (*retryablehttp.Request, error) {
	target := base.JoinPath(tc.Path)
	credentials := map[string]string{tc.AppIDField: appID, tc.SecretField: secret}
	var body any
	if tc.Method == http.MethodGet {
		query := url.Values{}
		for k, v := range credentials {
			query.Set(k, v)
		}
		target.RawQuery = query.Encode()
	} else {
		payload, err := json.Marshal(credentials)
		if err != nil {
			return nil, err
		}
		body = payload
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, tc.Method, target.String(), body)
	if err != nil {
		return nil, hwhttp.WithoutQuery(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if userAgent != "" {
		req.Header.Set("User-Agent", userAgent)
	}
	return req, nil
}

// Rejection is a platform's refusal of an app's credentials, in its own words.
type Rejection struct {
	Platform string // the platform's name, such as "WeCom"
	Endpoint string
	Code     string
	Message  string
	// RequestID identifies the call for the platform's support, when the platform gives one.
	RequestID string
}

func (r *Rejection) Error() string {
	return fmt.Sprintf("%s refused the app credentials: %s", r.Platform, r.Answer())
}

// Answer renders what the platform said: its code, its message and the request ID.
func (r *Rejection) Answer() string {
	answer := "code " + r.Code
	if r.Message != "" {
		answer += fmt.Sprintf(", %q", r.Message)
	}
	if r.RequestID != "" {
		answer += fmt.Sprintf(" (request ID %s)", r.RequestID)
	}
	return answer
}

// UnavailableError says that a platform gave no verdict: it could not be reached after the
// retries, was busy, or answered what no platform answers.
type UnavailableError struct {
	Platform string
	Endpoint string
	Reason   string
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s at %s gave no verdict on the app credentials: %s", e.Platform, e.Endpoint, e.Reason)
}

// Memory remembers the credentials platforms accepted, for the life of the process, so that
// each is asked about once however often the provider is configured. It keeps keyed hashes
// (HMAC-SHA256 under a key the process draws at random), which nothing outside the process can
// compare with a secret. The zero value is ready to use.
type Memory struct {
	mu   sync.Mutex
	key  []byte
	seen map[string]bool
}

// digest hashes the parts, each length-prefixed so that no two lists of parts hash alike.
func (m *Memory) digest(parts ...string) string {
	m.mu.Lock()
	if m.key == nil {
		m.key = make([]byte, sha256.Size)
		_, _ = rand.Read(m.key) // never fails (crypto/rand)
	}
	mac := hmac.New(sha256.New, m.key)
	m.mu.Unlock()
	for _, p := range parts {
		_, _ = fmt.Fprintf(mac, "%d:%s", len(p), p)
	}
	return string(mac.Sum(nil))
}

func (m *Memory) has(digest string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[digest]
}

func (m *Memory) add(digest string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	m.seen[digest] = true
}
