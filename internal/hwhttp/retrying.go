package hwhttp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy says how a client made by NewRetryingClient sends, retries and logs.
type RetryPolicy struct {
	// Service names the API in log messages: "COC", "IAM".
	Service string
	// MaxRetries is the number of retries after the first attempt; negative means none.
	MaxRetries int
	// Backoff's zero fields take the package's defaults.
	Backoff Backoff
	// Retry decides whether an attempt's outcome is worth another attempt, for example
	// RetryIdempotent: on its Answer, read and decoded once, or on the error that stopped it. It
	// is asked about every attempt that was sent, and only those: a request whose credentials
	// could not be obtained, or signed with a key the gateway refused, is never retried.
	Retry  func(ctx context.Context, a *Answer, err error) bool
	Logger Logger
	// SecretQuery says that the query string carries a secret (WeCom's token call takes the
	// app's secret there): it is logged as ***, and so is the query in the URL that transport
	// errors quote.
	SecretQuery bool
	// MaxAnswerBytes bounds what is read of an answer's body, the one limit of everything that
	// reads it; 0 means DefaultMaxAnswerBytes.
	MaxAnswerBytes int64
	// Signing, when set, signs every attempt.
	Signing *Signing
	// Secrets is the registry the client adds the secrets of its credentials to, and whose
	// secrets its log lines are scrubbed of; nil means none.
	Secrets *Secrets
}

// NewRetryingClient wraps httpClient in the retry loop every client of this project shares:
// capped, jittered backoff that honours Retry-After, the last answer kept for the caller (rather
// than "giving up"), and a debug line per attempt and response without any credential.
//
// Each attempt goes down, within its time limit (httpClient.Timeout), through the signing
// transport (when p.Signing is set) to httpClient's transport, and its answer comes back up
// read: the bottom layer reads the body once, up to p.MaxAnswerBytes, and decodes it into an
// Answer. The key gate, the retry rule (p.Retry, on AnswerOf the response) and the caller's
// decoder all decide on that Answer. go-retryablehttp remains the engine: its CheckRetry asks
// p.Retry, its Backoff is p.Backoff's.
func NewRetryingClient(httpClient *http.Client, p RetryPolicy) *retryablehttp.Client {
	backoff := p.Backoff.WithDefaults()
	logger := p.Logger
	if logger == nil {
		logger = NopLogger{}
	}
	sending := *httpClient
	var transport http.RoundTripper = answerReading{next: cmp.Or(httpClient.Transport, http.DefaultTransport),
		limit: cmp.Or(p.MaxAnswerBytes, DefaultMaxAnswerBytes)}
	if p.Signing != nil {
		transport = &signingTransport{Signing: *p.Signing, next: transport, secrets: p.Secrets}
	}
	if httpClient.Timeout > 0 {
		transport = attemptTimeout{next: transport, timeout: httpClient.Timeout}
		sending.Timeout = 0 // attemptTimeout applies it
	}
	sending.Transport = transport
	return &retryablehttp.Client{
		HTTPClient:   &sending,
		RetryMax:     max(p.MaxRetries, 0),
		RetryWaitMin: backoff.Min,
		RetryWaitMax: backoff.Max,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			var (
				credErr    *CredentialsError
				refusedErr *KeyRefusedError
			)
			if errors.As(err, &credErr) || errors.As(err, &refusedErr) {
				return false, nil // not sent
			}
			retry := p.Retry(ctx, AnswerOf(resp), err)
			if retry {
				if p.SecretQuery {
					err = WithoutQuery(err)
				}
				logger.Debug(ctx, fmt.Sprintf("%s request will be retried", p.Service), attemptFields(resp, err))
			}
			return retry, nil
		},
		Backoff: func(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
			return backoff.Wait(attempt, resp)
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			query := req.URL.RawQuery
			if p.SecretQuery && query != "" {
				query = Redacted
			}
			logger.Debug(req.Context(), fmt.Sprintf("Sending %s request", p.Service), map[string]any{
				"method": req.Method, "path": req.URL.Path, "query": query, "attempt": attempt + 1,
				"headers": loggableHeaders(req.Header, nil),
			})
		},
		ResponseLogHook: func(_ retryablehttp.Logger, resp *http.Response) {
			// An answer may echo the request: its signature and token, and whatever else the
			// registry knows, are kept out of the log too.
			scrub := append(p.Secrets.Scrubber(), RequestCredentials(resp.Request)...)
			logger.Debug(resp.Request.Context(), fmt.Sprintf("Received %s response", p.Service), map[string]any{
				"method": resp.Request.Method, "path": resp.Request.URL.Path, "status": resp.StatusCode,
				"request_id": scrub.Scrub(resp.Header.Get(HeaderRequestID)), "headers": loggableHeaders(resp.Header, scrub),
			})
		},
	}
}

// WithoutQuery returns err with the query replaced by *** in the URL a *url.Error quotes, which
// Go's HTTP client puts in front of every transport error; other errors are returned as they are.
func WithoutQuery(err error) error {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		return err
	}
	shown := urlErr.URL
	if i := strings.IndexByte(shown, '?'); i >= 0 {
		shown = shown[:i+1] + Redacted
	}
	return &url.Error{Op: urlErr.Op, URL: shown, Err: urlErr.Err}
}

// loggedHeaders are the headers whose values are logged; any other header is logged as ***. The
// list is of headers that carry no credential in any service the provider calls: a proxy or a
// server may echo a secret, a token or the request's signature in any other one.
var loggedHeaders = []string{
	"Accept", "Content-Length", "Content-Type", "Date", "Host", "Idempotency-Key", "Idempotent-Replayed", "Retry-After", HeaderRetryAfterMs, "Server",
	"User-Agent", HeaderDate, HeaderDomainID, HeaderRequestID, "X-Idp-Id",
}

// loggableHeaders renders headers as one string, "Name: value; ...", sorted by name: loggers
// mask secrets in string fields only. Values outside loggedHeaders are ***, and scrub removes
// what an answer must not repeat from the rest.
func loggableHeaders(h http.Header, scrub Scrubber) string {
	names := slices.Sorted(maps.Keys(h))
	lines := make([]string, 0, len(names))
	for _, name := range names {
		value := scrub.Scrub(strings.Join(h[name], ", "))
		if !slices.ContainsFunc(loggedHeaders, func(s string) bool { return strings.EqualFold(s, name) }) {
			value = Redacted
		}
		lines = append(lines, name+": "+value)
	}
	return strings.Join(lines, "; ")
}

func attemptFields(resp *http.Response, err error) map[string]any {
	fields := map[string]any{}
	if resp != nil {
		fields["status"] = resp.StatusCode
		fields["request_id"] = resp.Header.Get(HeaderRequestID)
		if ra := resp.Header.Get(HeaderRetryAfter); ra != "" {
			fields["retry_after"] = ra
		}
		if ms := resp.Header.Get(HeaderRetryAfterMs); ms != "" {
			fields["retry_after_ms"] = ms
		}
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	return fields
}
