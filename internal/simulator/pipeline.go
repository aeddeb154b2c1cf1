package simulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// call is one request to a simulated service, as its handler sees it.
type call struct {
	r    *http.Request
	body []byte
	// header is the response's: a handler sets there what it answers besides the body.
	header http.Header
	// account is the verified caller's, for handlers wrapped by signed.
	account *account
}

// handler answers a call with the state lock held: the status and the response data (or an
// *apiError).
type handler func(c *call) (int, any)

type apiError struct {
	status  int
	code    string
	msg     string
	details []coc.FieldError
	// retryAfter is sent, when positive, as Retry-After (whole seconds, rounded up) and as
	// Retry-After-Ms (milliseconds, rounded up).
	retryAfter time.Duration
}

// dialect is how one simulated service words its errors.
type dialect struct {
	// throttled, clientFault and serverFault are the codes that answers to injected faults (and
	// to unreadable bodies) carry.
	throttled, clientFault, serverFault string
	write                               func(w http.ResponseWriter, e *apiError)
	// credentials, when set, reads the secret a call presents, for the request log to keep its
	// fingerprint instead, and the query to log: without the secret, when it is there.
	credentials func(r *http.Request, body []byte) (query, secret string)
}

// faultCode is the code of an injected fault's answer with the given status.
func (d dialect) faultCode(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return d.throttled
	case status < 500:
		return d.clientFault
	default:
		return d.serverFault
	}
}

// cocDialect is COC's (and its API gateway's): {"error_code", "error_msg", "details"}.
var cocDialect = dialect{throttled: CodeThrottled, clientFault: coc.CodeInvalidField, serverFault: coc.CodeInternal, write: writeCOCError}

// writeCOCError words an error as COC does, or as its gateway does for the gateway's own codes:
// those carry the request id in the body too.
func writeCOCError(w http.ResponseWriter, e *apiError) {
	body := coc.ErrorBody{ErrorCode: e.code, ErrorMsg: e.msg, Details: e.details}
	if hwhttp.IsGatewayCode(e.code) {
		body.RequestID = w.Header().Get(hwhttp.HeaderRequestID)
	}
	writeJSON(w, e.status, body)
}

// answer is what a handler returns for the error.
func (e *apiError) answer() (int, any) { return e.status, e }

// message is the error's message with its details folded in, for dialects without details.
func (e *apiError) message() string {
	msg := e.msg
	for _, d := range e.details {
		msg += "; " + d.Field + ": " + d.Reason
	}
	return msg
}

// serve wraps a handler with what every simulated call shares: request id, size cap, faults,
// locking, the request log and the answer, worded in d.
func (s *Simulator) serve(d dialect, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(hwhttp.HeaderRequestID, s.requestID())
		// The body is read first: Go's HTTP server notices a client that hangs up only once the
		// body is consumed, and a held request must end when its client gives up.
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		fault := s.pickFault(r)
		// The log entry is written before the answer leaves, so that it precedes whatever the
		// client does next (a retry, a read-back) in the request log.
		if fault != nil && !fault.before(w, r, d, body, func() { s.record(r, d, body, fault.loggedStatus(), fault.describe()) }) {
			return
		}
		if err != nil || len(body) > maxRequestBytes {
			s.record(r, d, body, http.StatusRequestEntityTooLarge, "")
			d.write(w, &apiError{status: http.StatusRequestEntityTooLarge, code: d.clientFault, msg: "the request body is unreadable or exceeds 64 KiB"})
			return
		}

		s.mu.Lock()
		status, data := h(&call{r: r, body: body, header: w.Header()})
		s.mu.Unlock()

		if fault != nil && !fault.after(w, r, status, data, func(status int) { s.record(r, d, body, status, fault.describe()) }) {
			return
		}
		if e, ok := data.(*apiError); ok {
			s.record(r, d, body, e.status, "")
			if e.retryAfter > 0 {
				w.Header().Set(hwhttp.HeaderRetryAfter, strconv.FormatInt(ceilUnits(e.retryAfter, time.Second), 10))
				w.Header().Set(hwhttp.HeaderRetryAfterMs, strconv.FormatInt(ceilUnits(e.retryAfter, time.Millisecond), 10))
			}
			d.write(w, e)
			return
		}
		s.record(r, d, body, status, "")
		if data == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, data)
	}
}

// ceilUnits counts d in units, rounding up: a client told to wait must not come back early.
func ceilUnits(d, unit time.Duration) int64 {
	return int64((d + unit - 1) / unit)
}

func (s *Simulator) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return "sim-" + strconv.FormatUint(s.nextID, 10)
}

// decodeStrict decodes exactly one JSON value, refusing unknown fields and anything after it.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// RequestRecord is one entry of the request log.
type RequestRecord struct {
	Time      time.Time `json:"time"`
	AccessKey string    `json:"access_key,omitempty"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	// SecretFingerprint is, for a platform's token call, the Fingerprint of the secret it
	// presented; the secret itself is logged nowhere (WeCom's query is logged without it).
	SecretFingerprint string `json:"secret_fingerprint,omitempty"`
	// IdempotencyKey is a POST's Idempotency-Key header, which is no secret.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Status is 0 when the connection was dropped.
	Status int    `json:"status"`
	Fault  string `json:"fault,omitempty"`
}

// IsWrite reports whether the request could change state. A platform's token call changes
// nothing, though DingTalk's and Lark's are POSTs.
func (r RequestRecord) IsWrite() bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasPrefix(r.Path, PlatformPrefix)
}

// record logs a request, answered in dialect d, with the access key it claims whether or not it
// verifies.
func (s *Simulator) record(r *http.Request, d dialect, body []byte, status int, fault string) {
	entry := RequestRecord{AccessKey: accessKeyOf(r), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status, Fault: fault,
		IdempotencyKey: r.Header.Get(coc.HeaderIdempotencyKey)}
	if d.credentials != nil {
		var secret string
		entry.Query, secret = d.credentials(r, body)
		if secret != "" {
			entry.SecretFingerprint = Fingerprint(secret)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	entry.Time = s.now().UTC()
	s.requests = append(s.requests, entry)
}

// Requests returns a copy of the request log of the contract API, IAM, the metadata service and
// the platforms' token calls (admin calls are not logged).
func (s *Simulator) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ClearRequests empties the request log.
func (s *Simulator) ClearRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}
