package coc

import (
	"context"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// createPosts is one create's budget of POSTs, and what they did: CreateBinding owns it, and the
// retrying client it sends them with asks it about each. A create sends at most max_retries + 1
// POSTs, whatever mix of throttling, server faults and unusable answers it meets: the client's
// retries and the create's own draw on this one count. It also records whether any POST may
// have made the binding, so that a create that ends without a usable answer is known to have
// made nothing or not.
//
// The client asks about each POST in the goroutine of the create, which reads the budget
// between its calls: nothing here is shared.
type createPosts struct {
	// left is how many POSTs the create may still send.
	left int
	// mayHaveMade is set by a POST that was written in full and then met no answer (the
	// connection broke, the call was given up on) or a server fault (COC may have committed
	// before failing), and by CreateBinding for a success whose body is unusable. A refusal
	// (4xx) made nothing, and neither did a 2xx that is not COC's (a captive portal's page).
	mayHaveMade bool
}

// maxRetriesCap bounds the budget whatever max_retries says; the provider allows at most 20.
const maxRetriesCap = 100

func newCreatePosts(maxRetries int) *createPosts {
	return &createPosts{left: min(maxRetries, maxRetriesCap) + 1}
}

// client is the retrying client of this create's POSTs: c's, with the budget as its retry rule.
func (p *createPosts) client(c *Client) *retryablehttp.Client {
	policy := c.policy
	policy.Retry = p.retry
	return hwhttp.NewRetryingClient(c.http, policy)
}

// retry is the create's retry rule, asked about every POST the client sent: its POSTs carry an
// idempotency key, so they are retried as any idempotent call is, while the budget lasts.
func (p *createPosts) retry(ctx context.Context, a *hwhttp.Answer, err error) bool {
	p.spend(a, err)
	return p.left > 0 && hwhttp.RetryIdempotent(ctx, a, err)
}

// spend counts one POST that was sent, and notes whether it may have made the binding.
func (p *createPosts) spend(a *hwhttp.Answer, err error) {
	if a != nil && a.TokenExpired() {
		// The gateway stopped it before COC saw it, and do sends it once more with renewed
		// credentials: the budget is COC's POSTs.
		return
	}
	p.left--
	if hwhttp.WrittenUnanswered(err) || a != nil && a.StatusCode >= 500 {
		p.mayHaveMade = true
	}
}
