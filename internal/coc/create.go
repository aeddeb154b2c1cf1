package coc

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// CreateBinding binds an app. The POST is retried blindly only when the request provably never
// reached the backend. When its outcome is unknown (connection lost after sending, 5xx, or a 409
// on a later attempt) the binding is read back: if it matches what was sent (identifier and plain
// fields) it is adopted, and the secrets are written once more with an idempotent PUT so that the
// stored secrets are certainly ours; if it differs, the conflict is reported; only COC's own "not
// bound" lets the POST go again. A JSON 2xx that is cut or contradicts the request is a commit:
// the binding read back is the result, with the secrets of that very POST. A 409 COC.00040901 on
// the first attempt is a plain conflict: the error carries the bound binding in APIError.Bound.
//
// When neither an answer nor a read-back settles whether the binding was made (the read-back
// failed too, or the call was given up on after the POST was written), the error wraps
// ErrOutcomeUnknown.
func (c *Client) CreateBinding(ctx context.Context, t platforms.AppType, req BindingRequest) (*Binding, error) {
	p, err := platforms.For(t)
	if err != nil {
		return nil, err
	}
	// One budget for every POST of this create, the retrying client's and this loop's.
	posts := &createPosts{}
	posts.left.Store(int64(min(c.cfg.MaxRetries, maxRetriesCap)) + 1)
	ctx = posts.watch(ctx)
	var lastErr error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			// Only a read-back that found nothing bound leads here: nothing was made so far.
			if posts.left.Load() <= 0 {
				return nil, lastErr
			}
			if err := hwhttp.Sleep(ctx, c.cfg.Backoff.Wait(attempt-1, nil)); err != nil {
				return nil, errors.Join(lastErr, err)
			}
		}
		var created Binding
		post := &call{method: http.MethodPost, path: bindingPath(t), appType: t, sent: &req, secrets: req.SecretValues()}
		err := c.do(ctx, c.create, post, req, &created)
		switch {
		case err == nil:
			return &created, nil
		case errors.Is(err, ErrAlreadyBound) && attempt == 0:
			return nil, c.describeConflict(ctx, t, err)
		case !errors.Is(err, ErrAlreadyBound) && !mayHaveCommitted(err, posts.written.Load()):
			return nil, err
		}
		lastErr = err
		if ctx.Err() != nil {
			return nil, outcomeUnknown(err) // given up on: no read-back can be sent
		}

		c.cfg.Logger.Warn(ctx, "Outcome of COC create unknown; reading the binding back", map[string]any{"app_type": string(t), "error": err.Error()})
		existing, getErr := c.getBinding(ctx, t, req.SecretValues())
		switch {
		case getErr == nil && sameNonSecretFields(p, *existing, req) && malformed(err):
			return existing, nil
		case getErr == nil && sameNonSecretFields(p, *existing, req):
			updated, err := c.UpdateBinding(ctx, t, req)
			if err != nil {
				// The binding is there, but whether it holds the secrets is not known.
				return nil, outcomeUnknown(err)
			}
			return updated, nil
		case getErr == nil:
			return nil, scrubAPIError(append(hwhttp.NewScrubber(req.SecretValues()...), c.signing.Scrubber()...), conflictWith(t, p, existing))
		case !errors.Is(getErr, ErrNotBound):
			// Only COC's own "not bound" proves that nothing was made: a gateway's 404 says nothing.
			return nil, outcomeUnknown(errors.Join(lastErr, getErr))
		}
		// COC says not bound: the earlier attempt did not commit, so posting again is safe.
	}
}

// ErrOutcomeUnknown marks a create that may have made the binding although nothing confirmed it:
// its answer was lost and so was the read-back, or the call was given up on while COC may have
// been processing it.
var ErrOutcomeUnknown = errors.New("COC may have made the binding, but no answer or read-back confirmed it")

func outcomeUnknown(err error) error { return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err) }

func (c *Client) describeConflict(ctx context.Context, t platforms.AppType, err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	if bound, getErr := c.GetBinding(ctx, t); getErr == nil {
		apiErr.Bound = bound
	}
	return apiErr
}

func conflictWith(t platforms.AppType, p platforms.Platform, bound *Binding) *APIError {
	return &APIError{
		kind: ErrAlreadyBound, Operation: "POST " + bindingPath(t), StatusCode: http.StatusConflict, Code: CodeAlreadyBound,
		Message: fmt.Sprintf("the %s app is already bound to %s %s, which differs from the requested binding", t, p.Identifier.Name, bound.Identifier()),
		Bound:   bound,
	}
}

func sameNonSecretFields(p platforms.Platform, b Binding, req BindingRequest) bool {
	for _, name := range p.NonSecretNames() {
		if b.Fields[name] != req.Fields[name] {
			return false
		}
	}
	return true
}

// mayHaveCommitted reports whether a POST that failed with err may nevertheless have made the
// binding: COC answered success in a JSON body that is cut or contradicts the request, or failed
// on its side (5xx), or the call got no answer (given up on, or the connection broke) after the
// request was written in full. A POST that was not (the connection, or its TLS handshake, failed
// first) reached nothing; an answer that is not COC's (a gateway's 404, an HTML page) made
// nothing through COC.
func mayHaveCommitted(err error, written bool) bool {
	var transport *TransportError
	switch {
	case malformed(err), errors.Is(err, ErrServer):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.As(err, &transport):
		return written
	}
	return false
}
