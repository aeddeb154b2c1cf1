package coc

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// The decision table of one POST of a create, as its retrying client asks about it: whether it
// counts against the budget, whether it may have made the binding, and whether it is sent again.
func TestWhatAPOSTSpendsAndMayHaveMade(t *testing.T) {
	answer := func(status int, body string) *hwhttp.Answer {
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
		return hwhttp.ReadAnswer(resp, DefaultMaxResponseBytes)
	}
	expired := `{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: token expires"}`
	rows := []struct {
		name                   string
		answer                 *hwhttp.Answer
		err                    error
		counted, made, retried bool
	}{
		{"created", answer(201, `{}`), nil, true, false, false},
		{"refused", answer(409, `{"error_code":"COC.00040901"}`), nil, true, false, false},
		{"throttled", answer(429, `{"error_code":"APIG.0308"}`), nil, true, false, true},
		{"a server fault", answer(503, `{"error_code":"COC.00050001"}`), nil, true, true, true},
		{"no backend", answer(500, `{"error_code":"APIG.0103"}`), nil, true, true, false},
		{"not implemented", answer(501, `{}`), nil, true, true, false},
		{"a signature refused", answer(401, `{"error_code":"APIG.0301","error_msg":"verify aksk signature fail"}`), nil, true, false, false},
		{"credentials expired", answer(401, expired), nil, false, false, false},
		{"never connected", nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true, false, true},
		{"written, then no answer", nil, writtenUnanswered(t), true, true, true},
	}
	for _, row := range rows {
		p := newCreatePosts(5)
		retried := p.retry(context.Background(), row.answer, row.err)
		if counted := p.left == 5; counted != row.counted || p.mayHaveMade != row.made || retried != row.retried {
			t.Errorf("%s: counted %v, may have made %v, retried %v; want %v, %v, %v", row.name, counted, p.mayHaveMade, retried,
				row.counted, row.made, row.retried)
		}
	}
}

// The budget is max_retries + 1 POSTs: the last one it allows is not retried, whatever it met.
func TestTheBudgetEndsTheRetries(t *testing.T) {
	throttled := hwhttp.ReadAnswer(&http.Response{StatusCode: 429, Header: http.Header{}, Body: http.NoBody}, DefaultMaxResponseBytes)
	for _, maxRetries := range []int{0, 1, 3} {
		p := newCreatePosts(maxRetries)
		sent := 1
		for p.retry(context.Background(), throttled, nil) {
			sent++
		}
		if sent != maxRetries+1 || p.left != 0 {
			t.Errorf("max_retries %d: %d POSTs, %d left; want %d, none left", maxRetries, sent, p.left, maxRetries+1)
		}
	}
}

// writtenUnanswered is the error of a POST that a server read in full and then hung up on.
func writtenUnanswered(t *testing.T) error {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, _ := hj.Hijack()
			_ = conn.Close()
		}
	}))
	t.Cleanup(server.Close)
	rc := hwhttp.NewRetryingClient(&http.Client{}, hwhttp.RetryPolicy{Retry: hwhttp.RetryUnsent})
	req, _ := retryablehttp.NewRequest(http.MethodPost, server.URL, []byte(`{}`))
	resp, err := rc.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	if !hwhttp.WrittenUnanswered(err) {
		t.Fatalf("the hang-up gave %v, not a request written and unanswered", err)
	}
	return err
}
