package hwhttp

import (
	"context"
	"net/http"
)

// The retry rules decide on what an attempt came back with: its Answer, read and decoded once
// (AnswerOf), or the error that stopped it. Like aws-sdk-go-v2's retry.Standard and the Huawei
// SDK's invoker, they never look at the raw response; what they decide on (ServerFault,
// classifyTransport) is written once and shared with whoever else needs it.

// RetryIdempotent is the retry rule for GET, PUT and DELETE, and for any call that repeating
// cannot harm: connection errors that may pass, throttling and server faults are retried, but
// for a 501 and the gateway's APIG.0103 ("the backend does not exist"), and for a transport
// error that says the endpoint is set up wrong (see TransportProblem): none of those passes.
func RetryIdempotent(ctx context.Context, a *Answer, err error) bool {
	switch {
	case ctx.Err() != nil:
		return false
	case err != nil:
		return classifyTransport(err).problem == ""
	case a == nil:
		return false
	}
	return a.StatusCode == http.StatusTooManyRequests || a.ServerFault()
}

// RetryUnsent is the retry rule for a call that must not be repeated once it may have reached
// the backend: only answers that prove it did not are retried, a 429 from the gateway or a
// connection that could not be opened, unless no retry can fix what stopped it. The caller
// reconciles anything else.
func RetryUnsent(ctx context.Context, a *Answer, err error) bool {
	switch {
	case ctx.Err() != nil:
		return false
	case err != nil:
		f := classifyTransport(err)
		return f.unsent && f.problem == ""
	}
	return a != nil && a.StatusCode == http.StatusTooManyRequests
}
