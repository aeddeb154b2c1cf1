package conformance

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

const (
	maxBodyBytes   = 1 << 20
	requestTimeout = 30 * time.Second
	// A throttled call is tried again this many times, waiting at most maxThrottleWait each time:
	// throttling says nothing about conformance, and a refused signature is never retried.
	maxThrottleRetries = 3
	maxThrottleWait    = 10 * time.Second
)

// errRefused is what every call returns once the endpoint refused a signature: the gateway locks
// an access key for 5 minutes after 5 refused signatures in a row, so nothing more is signed.
var errRefused = errors.New("the endpoint refused the signature")

// fatalError is a call that could not be made or judged: the run cannot go on (exit 2).
type fatalError struct {
	call string
	err  error
}

func (e *fatalError) Error() string { return e.call + ": " + e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// endpoint sends signed calls to the endpoint under test, one at a time, and hands back what it
// answered as it is.
type endpoint struct {
	base     *url.URL
	creds    hwhttp.CredentialsProvider
	domainID string
	client   *http.Client
	// secrets collects everything the output must not show: the credentials (the chain adds
	// those it obtains), the made-up secrets, and every signature sent.
	secrets *hwhttp.Secrets
	// refused is set by the first refused signature; no request is signed after it.
	refused *answer
}

// request is one call: a method, a path (with its query) and an optional JSON body.
type request struct {
	method string
	path   string
	query  url.Values
	body   map[string]string
	// header holds the headers the call adds, signed with the rest.
	header map[string]string
	// label is added to the call's name in the report, for calls that differ only by body.
	label string
}

func (r request) String() string {
	s := r.method + " " + r.path
	if q := r.query.Encode(); q != "" {
		s += "?" + q
	}
	if r.label != "" {
		s += " (" + r.label + ")"
	}
	return s
}

// answer is what the endpoint answered to one call.
type answer struct {
	status      int
	header      http.Header
	body        []byte
	contentType string
	requestID   string
	// object is the body decoded as a JSON object; nil when it is not one.
	object map[string]any
}

// send makes one call. It renews an expired security token once, waits out throttling, and fails
// with a fatalError when no answer can be had or the endpoint refused the signature or the
// credentials.
func (e *endpoint) send(ctx context.Context, r request) (*answer, error) {
	fail := func(err error) (*answer, error) { return nil, &fatalError{call: r.String(), err: err} }
	if e.refused != nil {
		return fail(errRefused)
	}
	renewed := false
	for attempt := 0; ; attempt++ {
		creds, err := e.creds.Retrieve(ctx)
		if err != nil {
			return fail(fmt.Errorf("obtaining credentials: %w", err))
		}
		a, err := e.roundTrip(ctx, r, creds)
		if err != nil {
			return fail(err)
		}
		switch {
		case a.status == http.StatusUnauthorized || a.status == http.StatusForbidden:
			if err := e.refusal(a, creds, renewed); err != nil {
				return fail(err)
			}
			renewed = true
		case a.status == http.StatusTooManyRequests && attempt < maxThrottleRetries:
			if err := hwhttp.Sleep(ctx, throttleWait(a.header)); err != nil {
				return fail(err)
			}
		default:
			return a, nil
		}
	}
}

// refusal handles a 401 or 403: nil when the credentials were renewed after the one refusal
// worth it (an expired security token, not renewed before), else why the run stops. Any other
// 401 is a refused signature, and nothing more is signed.
func (e *endpoint) refusal(a *answer, creds hwhttp.Credentials, renewed bool) error {
	renewer, renewable := e.creds.(hwhttp.CredentialsRenewer)
	switch {
	case a.status == http.StatusForbidden:
		// Not a refused signature, but these credentials may not make this call here: what
		// would follow says nothing about the endpoint.
		return fmt.Errorf("the endpoint refused the credentials for this call: %s", a.brief())
	case !hwhttp.TokenExpired(a.status, a.code(), a.message()) || renewed:
		e.refused = a
		return fmt.Errorf("%w: %s", errRefused, a.brief())
	case !renewable:
		e.refused = a
		return fmt.Errorf("%w: %s, and these credentials cannot be renewed", errRefused, a.brief())
	}
	return renewer.Expire(creds)
}

// roundTrip signs and sends one attempt and reads its answer.
func (e *endpoint) roundTrip(ctx context.Context, r request, creds hwhttp.Credentials) (*answer, error) {
	var payload []byte
	if r.body != nil {
		payload, _ = json.Marshal(r.body) // a map of strings always encodes
	}
	u := e.base.JoinPath(r.path)
	u.RawQuery = r.query.Encode()
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "coc-conformance")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.domainID != "" {
		req.Header.Set(hwhttp.HeaderDomainID, e.domainID)
	}
	for name, v := range r.header {
		req.Header.Set(name, v)
	}
	e.secrets.Add(creds.SecretKey, creds.SecurityToken)
	hwhttp.Signer{Credentials: creds}.Sign(req, payload)
	e.secrets.Add(hwhttp.RequestSignature(req))
	resp, err := e.client.Do(req)
	if problem := hwhttp.TransportProblem(err); problem != "" {
		return nil, fmt.Errorf("%w: %s (check %s, or %s for the region's endpoint)", err, problem, credentials.EnvCOCEndpoint, credentials.EnvRegion)
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	// Whatever the endpoint repeats of the request (a proxy may echo its headers and body) is
	// scrubbed before anything reads it, so that no cut or quoted form of a secret survives.
	scrub := e.secrets.Scrubber()
	header := resp.Header.Clone()
	for name, values := range header {
		for i, v := range values {
			values[i] = scrub.Scrub(v)
		}
		header[name] = values
	}
	return newAnswer(resp.StatusCode, header, []byte(scrub.Scrub(string(body)))), nil
}

func newAnswer(status int, header http.Header, body []byte) *answer {
	a := &answer{status: status, header: header, body: body, requestID: header.Get(hwhttp.HeaderRequestID)}
	a.contentType, _, _ = mime.ParseMediaType(header.Get("Content-Type"))
	if isJSON(a.contentType) {
		_ = json.Unmarshal(body, &a.object)
	}
	return a
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// code and message are an error answer's, in COC's or the gateway's shape, or "".
func (a *answer) code() string    { s, _ := a.object["error_code"].(string); return s }
func (a *answer) message() string { s, _ := a.object["error_msg"].(string); return s }

// brief says what the endpoint answered in a few words: the status, and the code and message
// of an error, or the content type of something that is not JSON.
func (a *answer) brief() string {
	switch {
	case a.object == nil && len(a.body) == 0:
		return fmt.Sprintf("%d, no body", a.status)
	case a.object == nil:
		return fmt.Sprintf("%d, %s of %d bytes", a.status, cmp.Or(a.contentType, "no content type"), len(a.body))
	case a.status >= 300:
		code := cmp.Or(a.code(), "(no error_code)")
		if len(code) > 32 || strings.ContainsAny(code, " \t") {
			code = quote(code) // not a code: an echo, say
		}
		return fmt.Sprintf("%d %s %s%s", a.status, code, quote(a.message()), a.detailFields())
	}
	return strconv.Itoa(a.status)
}

// detailFields names the fields an error's details are about, as " (details: limit, offset)".
func (a *answer) detailFields() string {
	list, _ := a.object["details"].([]any)
	var fields []string
	for _, d := range list {
		if entry, ok := d.(map[string]any); ok {
			fields = append(fields, str(entry, "field"))
		}
	}
	if len(fields) == 0 {
		return ""
	}
	return " (details: " + strings.Join(fields, ", ") + ")"
}

// throttleWait is the wait a 429 asks for, capped; a second when it asks for none.
func throttleWait(h http.Header) time.Duration {
	if d, ok := (hwhttp.Backoff{MaxRetryAfter: maxThrottleWait}).ServerWait(h); ok {
		return d
	}
	return time.Second
}

// quote shows a value from the endpoint on one line, cut to a readable length.
func quote(s string) string {
	const most = 160
	if r := []rune(s); len(r) > most {
		s = string(r[:most]) + "…"
	}
	return strconv.Quote(s)
}
