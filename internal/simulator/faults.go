package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// DropMode says when an injected fault closes the connection without an answer.
type DropMode string

const (
	// DropBeforeCommit closes the connection before the request is processed.
	DropBeforeCommit DropMode = "before_commit"
	// DropAfterCommit processes the request, then closes the connection without answering:
	// the client cannot know that its write took effect.
	DropAfterCommit DropMode = "after_commit"
)

// Fault is a rule that disturbs matching contract API calls.
type Fault struct {
	// Method, PathPrefix and AccessKey restrict which requests match; empty matches all.
	Method     string `json:"method,omitempty"`
	PathPrefix string `json:"path_prefix,omitempty"`
	AccessKey  string `json:"access_key,omitempty"`
	// Probability that a matching request is disturbed; 0 means always.
	Probability float64 `json:"probability,omitempty"`
	// Times caps how often the rule fires; 0 means without limit.
	Times int `json:"times,omitempty"`
	// LatencyMS delays the request (it still proceeds unless another effect applies).
	LatencyMS int `json:"latency_ms,omitempty"`
	// LatencyAfterCommitMS processes the request, then holds the answer this long, or until the
	// client gives up: a write that takes effect while its client waits, then stops waiting.
	LatencyAfterCommitMS int `json:"latency_after_commit_ms,omitempty"`
	// Truncate processes the request and answers its success with only the first half of the
	// body, as a proxy that cuts answers might: the status says the write took effect, the body
	// cannot be decoded. Error answers and answers without a body are sent unchanged.
	Truncate bool `json:"truncate,omitempty"`
	// Status answers with this status instead of processing: with an error body in the
	// service's shape, with Code and Message when set, or with Body as it is. Any status from
	// 200 to 599 can be played, so that a 2xx can come from something that is not the service.
	Status int `json:"status,omitempty"`
	// Code and Message word the error body of a Status answer, for example the API gateway's
	// APIG.0101 for an API it does not publish; they default to the service's codes.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Body and ContentType make a Status answer whatever something in the way might send: a
	// proxy's HTML page, an empty body, a misrouted JSON answer.
	Body        string `json:"body,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// RetryAfter is the Retry-After header (seconds) sent with Status.
	RetryAfter int `json:"retry_after,omitempty"`
	// Echo makes the Status answer repeat the request (method, path, every header and the
	// body) in its error message, and every request header as an X-Echo-<name> header, as a
	// misconfigured proxy or a careless server might. No real COC endpoint does this; it exists
	// to prove that clients keep secrets out of their errors and logs.
	Echo bool     `json:"echo,omitempty"`
	Drop DropMode `json:"drop,omitempty"`
}

// FaultState is a rule with how often it fired.
type FaultState struct {
	Fault
	Fired int `json:"fired"`
}

type faultRule struct {
	Fault
	fired int
}

func (f Fault) validate() error {
	switch {
	case f.Probability < 0 || f.Probability > 1:
		return fmt.Errorf("probability must be between 0 and 1")
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return fmt.Errorf("status must be a code from 200 to 599")
	case f.Status == 0 && (f.Code != "" || f.Message != "" || f.Body != "" || f.ContentType != ""):
		return fmt.Errorf("code, message, body and content_type word a status answer: set status")
	case f.Body != "" && (f.Code != "" || f.Message != "" || f.Echo):
		return fmt.Errorf("a body is sent as it is: code, message and echo do not apply to it")
	case f.Status < 300 && f.Status != 0 && f.Body == "" && f.ContentType == "" && f.Code == "":
		return fmt.Errorf("a 2xx status answer needs a body, a content_type or a code")
	case f.Drop != "" && f.Drop != DropBeforeCommit && f.Drop != DropAfterCommit:
		return fmt.Errorf("drop must be %q or %q", DropBeforeCommit, DropAfterCommit)
	case f.Status != 0 && f.Drop != "":
		return fmt.Errorf("a fault either answers with a status or drops the connection, not both")
	case f.Echo && f.Status == 0:
		return fmt.Errorf("echo needs a status to answer with")
	case f.Truncate && f.Drop != "":
		return fmt.Errorf("a fault either truncates the answer or drops the connection, not both")
	case (f.Truncate || f.LatencyAfterCommitMS > 0) && (f.Status != 0 || f.Drop == DropBeforeCommit):
		return fmt.Errorf("truncate and latency_after_commit_ms act on a processed request, which a status or a drop before commit prevents")
	case f.Status == 0 && f.Drop == "" && f.LatencyMS <= 0 && f.LatencyAfterCommitMS <= 0 && !f.Truncate:
		return fmt.Errorf("a fault needs a status, a drop mode, a latency or truncate")
	}
	return nil
}

// InjectFault adds a rule. Rules are tried in order; the first that matches and fires wins.
func (s *Simulator) InjectFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{Fault: f})
	return nil
}

// ClearFaults removes every rule.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Faults lists the rules and how often each fired.
func (s *Simulator) Faults() []FaultState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FaultState, len(s.faults))
	for i, f := range s.faults {
		out[i] = FaultState{Fault: f.Fault, Fired: f.fired}
	}
	return out
}

func (s *Simulator) pickFault(r *http.Request) *faultRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	ak := accessKeyOf(r)
	for _, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) ||
			f.PathPrefix != "" && !strings.HasPrefix(r.URL.Path, f.PathPrefix) ||
			f.AccessKey != "" && f.AccessKey != ak ||
			f.Times > 0 && f.fired >= f.Times {
			continue
		}
		if f.Probability > 0 && s.rng.Float64() >= f.Probability {
			continue
		}
		f.fired++
		return f
	}
	return nil
}

// before applies the parts of a fault that act before processing, answering in d. It reports
// whether the request should still be processed; when not, it calls record before the client can
// see anything.
func (f *faultRule) before(w http.ResponseWriter, r *http.Request, d dialect, body []byte, record func()) bool {
	if !hold(r, f.LatencyMS) {
		record()
		return false
	}
	switch {
	case f.Drop == DropBeforeCommit:
		record()
		dropConnection(w)
		return false
	case f.Status != 0 && (f.Body != "" || f.ContentType != ""):
		record()
		if f.ContentType != "" {
			w.Header().Set("Content-Type", f.ContentType)
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return false
	case f.Status != 0:
		answer := &apiError{status: f.Status, code: cmp.Or(f.Code, d.faultCode(f.Status)), msg: cmp.Or(f.Message, "injected fault: "+http.StatusText(f.Status))}
		if f.Status == http.StatusTooManyRequests && f.RetryAfter > 0 {
			w.Header().Set(hwhttp.HeaderRetryAfter, strconv.Itoa(f.RetryAfter))
		}
		if f.Echo {
			answer.msg += "; the request was " + echo(r)
			answer.details = []coc.FieldError{{Field: "body", Reason: string(body)}}
			// Some proxies hand the request's headers back as headers of their own.
			for name, values := range r.Header {
				w.Header()["X-Echo-"+name] = values
			}
		}
		record()
		d.write(w, answer)
		return false
	}
	return true
}

// after applies the parts of a fault that act once the request has been processed, so after any
// write took effect. It reports whether the answer should still be sent; when not, it calls
// record with the status the client gets (0 for none) before the client can see anything.
func (f *faultRule) after(w http.ResponseWriter, r *http.Request, status int, data any, record func(status int)) bool {
	if !hold(r, f.LatencyAfterCommitMS) {
		record(0)
		return false
	}
	_, failed := data.(*apiError)
	switch {
	case f.Drop == DropAfterCommit:
		record(0)
		dropConnection(w)
		return false
	case f.Truncate && data != nil && !failed:
		body, err := json.Marshal(data)
		if err != nil {
			panic(err) // every answer the handlers build encodes
		}
		record(status)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		return false
	}
	return true
}

// hold waits ms milliseconds, or less if the client gives up first; it reports whether the
// client is still waiting.
func hold(r *http.Request, ms int) bool {
	if ms <= 0 {
		return true
	}
	timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// echo renders a request the way a server that repeats it in an error would: the request line
// and every header, Authorization and X-Security-Token included.
func echo(r *http.Request) string {
	names := slices.Sorted(maps.Keys(r.Header))
	var b strings.Builder
	b.WriteString(r.Method + " " + r.URL.RequestURI())
	for _, name := range names {
		fmt.Fprintf(&b, "; %s: %s", name, strings.Join(r.Header[name], ", "))
	}
	return b.String()
}

func (f *faultRule) loggedStatus() int { return f.Status }

func (f *faultRule) describe() string {
	switch {
	case f.Drop != "":
		return "drop " + string(f.Drop)
	case f.Truncate:
		return "truncate"
	case f.LatencyAfterCommitMS > 0:
		return "latency after commit " + strconv.Itoa(f.LatencyAfterCommitMS) + "ms"
	case f.Echo:
		return "status " + strconv.Itoa(f.Status) + " echoing the request"
	case f.Body != "" || f.ContentType != "":
		return "status " + strconv.Itoa(f.Status) + " with a body of " + strconv.Itoa(len(f.Body)) + " bytes"
	case f.Code != "":
		return "status " + strconv.Itoa(f.Status) + " " + f.Code
	case f.Status != 0:
		return "status " + strconv.Itoa(f.Status)
	default:
		return "latency " + strconv.Itoa(f.LatencyMS) + "ms"
	}
}

// dropConnection closes the connection without writing a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// rateLimit is a token bucket per account, as API Gateway throttles per account.
type rateLimit struct {
	Rate  float64 `json:"rate"`
	Burst int     `json:"burst"`
}

type bucket struct {
	tokens float64
	last   time.Time
}

// SetRateLimit throttles each account's contract API calls to rate requests per second with the
// given burst; a rate of 0 removes the limit.
func (s *Simulator) SetRateLimit(rate float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rate <= 0 {
		s.limiter = nil
		return
	}
	s.limiter = &rateLimit{Rate: rate, Burst: max(burst, 1)}
	s.forEachAccount(func(a *account) { a.bucket = bucket{tokens: float64(s.limiter.Burst), last: s.now()} })
}

// throttle takes a token from the account's bucket. It must be called with s.mu held.
func (s *Simulator) throttle(a *account) *apiError {
	if s.limiter == nil {
		return nil
	}
	now := s.now()
	b := &a.bucket
	if b.last.IsZero() {
		b.tokens, b.last = float64(s.limiter.Burst), now
	}
	b.tokens = math.Min(float64(s.limiter.Burst), b.tokens+now.Sub(b.last).Seconds()*s.limiter.Rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return nil
	}
	wait := time.Duration((1 - b.tokens) / s.limiter.Rate * float64(time.Second))
	return &apiError{
		status: http.StatusTooManyRequests, code: CodeThrottled, msg: "the API request rate exceeds the limit",
		retryAfter: max(wait, time.Millisecond),
	}
}
