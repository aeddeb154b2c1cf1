package hwhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// answered is an answer as the gate sees it: read below it.
func answered(status int, body string) *http.Response {
	resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: &http.Request{Header: http.Header{}}}
	ReadAnswer(resp, DefaultMaxAnswerBytes)
	return resp
}

// The gate's rules, request by request: a trial goes alone; the others wait for its answer, or
// until it has been out for trialWait; a refusal ends every later request of the key, an
// expired token and a lost answer prove nothing, any other answer proves the key.
func TestKeyGate(t *testing.T) {
	ctx := context.Background()
	g := &KeyGate{trialWait: 50 * time.Millisecond}

	settle, err := g.enter(ctx, "AK1")
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	if _, err := g.enter(ctx, "AK1"); err != nil || time.Since(started) < 50*time.Millisecond {
		t.Fatalf("a second request went after %v (%v), want it held for the trial's wait", time.Since(started), err)
	}
	other, err := g.enter(ctx, "AK2")
	if err != nil {
		t.Fatal(err)
	}
	other(nil) // no answer: AK2 proves nothing
	settle(answered(401, `{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: token expires"}`))
	next, err := g.enter(ctx, "AK1")
	if err != nil {
		t.Fatalf("an expired token refused the key: %v", err)
	}
	next(answered(404, `{"error_code":"COC.00040401"}`))
	for range 3 {
		done, err := g.enter(ctx, "AK1")
		if err != nil {
			t.Fatal(err)
		}
		done(nil)
	}
	// A proven key refused later is refused from then on: it has been revoked or changed.
	late, _ := g.enter(ctx, "AK1")
	late(answered(401, `{"error_code":"APIG.0301","error_msg":"verify aksk signature fail","request_id":"r1"}`))
	var refused *KeyRefusedError
	if _, err := g.enter(ctx, "AK1"); !errors.As(err, &refused) || refused.Code != CodeBadSignature {
		t.Fatalf("got %v, want the key refused", err)
	}

	// A request that waits for a trial gives up with its context.
	if _, err := g.enter(ctx, "AK3"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := g.enter(short, "AK3"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the waiting request's deadline", err)
	}
}
