package hwhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// wireBodies counts what the layers above the wire do with each answer's body: how often it was
// read to its end and how often closed.
type wireBodies struct {
	next          http.RoundTripper
	ends, closes  atomic.Int32
	answers, sent atomic.Int32
}

func (w *wireBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	w.sent.Add(1)
	resp, err := w.next.RoundTrip(req)
	if err == nil {
		w.answers.Add(1)
		resp.Body = &countedBody{ReadCloser: resp.Body, w: w}
	}
	return resp, err
}

type countedBody struct {
	io.ReadCloser
	w *wireBodies
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.w.ends.Add(1)
	}
	return n, err
}

func (b *countedBody) Close() error {
	b.w.closes.Add(1)
	return b.ReadCloser.Close()
}

// Every answer is read from the wire once, at the bottom of the client, and everything above it
// (the key gate, the retry rule, the caller) decides on the same decoded Answer: a server fault
// is retried, the gateway's APIG.0103 and a 501 are not, whatever their bodies, and the caller
// still gets the whole body and the gateway's code.
func TestTheAnswerIsReadOnceAndDecidedOn(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		attempts int32
		code     string
	}{
		{"a server fault", 503, `{"error_code":"COC.00050001","error_msg":"busy"}`, 3, "COC.00050001"},
		{"the gateway without a backend", 500, `{"error_code":"APIG.0103","error_msg":"The backend does not exist.","request_id":"gw-1"}`, 1, CodeNoBackend},
		{"a method not implemented", 501, `{"error_code":"X","error_msg":"no"}`, 1, "X"},
		{"throttled", 429, `{"error_code":"APIG.0308","error_msg":"slow down"}`, 3, "APIG.0308"},
		{"a refusal", 400, `{"error_code":"COC.00040001","error_msg":"bad"}`, 1, "COC.00040001"},
		{"a success", 200, `{"error_code":"COC.00000000","data":{}}`, 1, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set(HeaderRetryAfterMs, "0")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			t.Cleanup(server.Close)
			wire := &wireBodies{next: http.DefaultTransport}
			var asked []*Answer
			rc := NewRetryingClient(&http.Client{Transport: wire}, RetryPolicy{MaxRetries: 2, Backoff: Backoff{Min: time.Millisecond, Max: time.Millisecond},
				Retry: func(ctx context.Context, a *Answer, err error) bool {
					asked = append(asked, a)
					return RetryIdempotent(ctx, a, err)
				},
				Signing: &Signing{Credentials: Credentials{AccessKey: "AK", SecretKey: "SK-answer-test"}, Gate: &KeyGate{}}})
			req, _ := retryablehttp.NewRequest(http.MethodGet, server.URL, nil)
			resp, err := rc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			a := AnswerOf(resp)
			switch {
			case wire.sent.Load() != tc.attempts:
				t.Fatalf("%d attempts, want %d", wire.sent.Load(), tc.attempts)
			case wire.ends.Load() != wire.answers.Load() || wire.closes.Load() != wire.answers.Load():
				t.Fatalf("%d answers: read to the end %d times, closed %d times; want each once", wire.answers.Load(), wire.ends.Load(), wire.closes.Load())
			case len(asked) != int(tc.attempts) || asked[len(asked)-1] != a:
				t.Fatalf("the retry rule was asked about %d answers, the last of them not the caller's", len(asked))
			case a.StatusCode != tc.status || string(a.Body) != tc.body || a.Code != tc.code:
				t.Fatalf("the caller got %d %q (code %q), want %d %q (code %q)", a.StatusCode, a.Body, a.Code, tc.status, tc.body, tc.code)
			}
			if rest, _ := io.ReadAll(resp.Body); string(rest) != tc.body {
				t.Fatalf("the response's body reads %q, want the answer's", rest)
			}
		})
	}
}

// The one limit: a body beyond it is not decoded, and says so, whoever reads the Answer.
func TestAnAnswerBeyondTheLimitIsNotDecoded(t *testing.T) {
	body := fmt.Sprintf(`{"error_code":"APIG.0103","error_msg":%q}`, strings.Repeat("x", 100))
	for _, tc := range []struct {
		limit    int64
		tooLarge bool
	}{{int64(len(body)), false}, {int64(len(body) - 1), true}} {
		resp := &http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
		a := ReadAnswer(resp, tc.limit)
		if a.TooLarge != tc.tooLarge || (a.Code == CodeNoBackend) == tc.tooLarge || a.Limit != tc.limit {
			t.Errorf("limit %d: too large %v, code %q; want too large %v", tc.limit, a.TooLarge, a.Code, tc.tooLarge)
		}
		if again := ReadAnswer(resp, 1); again != a {
			t.Errorf("limit %d: a second ReadAnswer read the body again", tc.limit)
		}
	}
}

// The rule of server faults, which the retry rules and COC's meaning of an answer share.
func TestServerFault(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		fault  bool
	}{
		{500, "", true}, {502, "APIG.0201", true}, {503, "COC.00050001", true}, {504, "", true},
		{501, "", false}, {500, CodeNoBackend, false}, {502, CodeNoBackend, false}, {499, "", false}, {429, "", false}, {200, "", false},
	} {
		if got := ServerFault(tc.status, tc.code); got != tc.fault {
			t.Errorf("ServerFault(%d, %q) = %v, want %v", tc.status, tc.code, got, tc.fault)
		}
	}
}

// A request written in full that then meets no answer says so; one that was never written does
// not, and keeps the error http.Client recognises (plain HTTP behind https://).
func TestWrittenUnanswered(t *testing.T) {
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, _ := hj.Hijack()
			_ = conn.Close()
		}
	}))
	t.Cleanup(hangUp.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	rc := NewRetryingClient(&http.Client{}, RetryPolicy{Retry: RetryUnsent})
	for _, tc := range []struct {
		url     string
		written bool
		says    string
	}{
		{hangUp.URL, true, "EOF"},
		{strings.Replace(plain.URL, "http://", "https://", 1), false, "server gave HTTP response to HTTPS client"},
	} {
		req, _ := retryablehttp.NewRequest(http.MethodPost, tc.url, []byte(`{}`))
		resp, err := rc.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		if err == nil || WrittenUnanswered(err) != tc.written || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v (written, unanswered: %v), want an error saying %q, written: %v", tc.url, err, WrittenUnanswered(err), tc.says, tc.written)
		}
	}
}

// slowCredentials are obtained after the attempt's time limit, or when its context ends.
type slowCredentials struct{}

func (slowCredentials) Retrieve(ctx context.Context) (Credentials, error) {
	select {
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	case <-time.After(time.Minute):
		return Credentials{AccessKey: "AK", SecretKey: "SK-slow"}, nil
	}
}

// An attempt's time limit (http.Client.Timeout) covers all of it: obtaining its credentials, and
// reading its answer, which a server may stop sending half-way.
func TestAnAttemptsTimeLimitCoversItsCredentialsAndItsAnswer(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"error_code":`)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(server.Close)
	send := func(signing *Signing) (*Answer, error) {
		rc := NewRetryingClient(&http.Client{Timeout: 100 * time.Millisecond}, RetryPolicy{Retry: RetryIdempotent, Signing: signing})
		req, _ := retryablehttp.NewRequest(http.MethodGet, server.URL, nil)
		start := time.Now()
		resp, err := rc.Do(req)
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Fatalf("the attempt took %v; its limit is 100ms", elapsed)
		}
		if err != nil {
			return nil, err
		}
		defer func() { _ = resp.Body.Close() }()
		return AnswerOf(resp), nil
	}
	a, err := send(nil)
	if err != nil || a == nil || !errors.Is(a.ReadErr, context.DeadlineExceeded) || string(a.Body) != `{"error_code":` {
		t.Errorf("a body stopped half-way: %+v, %v; want the part read and the deadline", a, err)
	}
	var credErr *CredentialsError
	if _, err := send(&Signing{Credentials: slowCredentials{}}); !errors.As(err, &credErr) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("credentials obtained too slowly: %v; want a CredentialsError at the deadline", err)
	}
}
